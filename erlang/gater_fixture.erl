%% Test fixture: ExESDBGater broadcasts as a publisher on this OTP builds them (gater_wire: the
%% structs, signed with crypto:mac(hmac, sha256, Secret, term_to_binary(Inner)) with this OTP's
%% default options), encoded as the distribution carries them (UTF-8 atoms) inside
%% forward_to_local tuples; fixed values, so that tests can expect each field.
%%
%% write(Path, Secret) writes records <<NameLen:16, Name, Len:32, Bytes>>.
-module(gater_fixture).
-export([write/2, write_hostile/2, bus_log_entry/0, hostile/0, payloads/0, bus_payloads/0, real_shapes/0,
         bus_real_shapes/0, log_event/0]).
-import(gater_wire, [forward/2, sign/2]).

write(Path, Secret) ->
    Cases = cases(Secret),
    ok = file:write_file(Path, [record(Name, Message) || {Name, Message} <- Cases]),
    io:format("wrote ~b~n", [length(Cases)]).

%% write_hostile(Path, Secret): as write/2, with payloads too big for the tests that mutate and
%% truncate every case: megabytes of text, a list of 10^5 users.
write_hostile(Path, Secret) ->
    Cases = [{Name, forward(Topic, sign(Secret, Inner))} || {Name, Topic, Inner} <- hostile()],
    ok = file:write_file(Path, [record(Name, Message) || {Name, Message} <- Cases]),
    io:format("wrote ~b~n", [length(Cases)]).

hostile() ->
    [{security_alert_huge, <<"security_alerts">>,
      {security_alert, maps:merge(security_alert(),
                                  #{description => binary:copy(<<"x">>, 2 * 1024 * 1024), severity => catastrophic,
                                    affected_users => [integer_to_binary(I) || I <- lists:seq(1, 100000)]})}},
     {log_entry_huge_message, <<"error_logs">>,
      {log_entry, maps:merge(log_entry(), #{message => binary:copy(<<"y">>, 3 * 1024 * 1024),
                                            module => binary:copy(<<"M">>, 1024 * 1024)})}}].

record(Name, Message) ->
    NameBin = atom_to_binary(Name, utf8),
    Bytes = term_to_binary(Message, [{minor_version, 2}]),
    [<<(byte_size(NameBin)):16>>, NameBin, <<(byte_size(Bytes)):32>>, Bytes].

cases(Secret) ->
    Signed = [{Name, forward(Topic, sign(Secret, Inner))} || {Name, Topic, Inner} <- payloads()],
    Latency = {latency_metric, latency()},
    TamperedLatency = {latency_metric, maps:put(latency_ms, 99.0, latency())},
    {secure_message, GoodSig, _} = sign(Secret, Latency),
    Real = [{Name, forward(Topic, sign(Secret, Inner))} || {Name, Topic, Inner} <- real_shapes()],
    BusReal = [{Name, forward(Topic, sign(Secret, Inner))} || {Name, Topic, Inner} <- bus_real_shapes()],
    Signed ++ Real ++ BusReal ++ bus_variants(Secret) ++
        [{log_event, forward(<<"logging:emitter_pool">>, log_event())},
         {log_event_store_copy, forward(<<"logging:store:main_store">>, log_event())}] ++
        [{cluster_health_nothing_usable,
          forward(<<"cluster:health">>,
                  sign(Secret, {cluster_health_updated,
                                maps:merge(cluster_health(), #{status => #{}, healthy_nodes => <<"two">>,
                                                               total_nodes => {3}, degraded_nodes => 7,
                                                               unhealthy_nodes => 8, quorum_status => 9})}))},
         {latency_otp26, forward(<<"latency">>, gater_wire:sign_utf8(Secret, Latency))},
         {tampered, forward(<<"latency">>, {secure_message, GoodSig, TamperedLatency})},
         {unsigned, forward(<<"latency">>, {unsecured_message, Latency})},
         {not_envelope, forward(<<"latency">>, hello)},
         {latency_plain_map, forward(<<"latency">>, sign(Secret, {latency_metric, maps:remove('__struct__', latency())}))},
         {plain_map_unknown_tag, forward(<<"latency">>, sign(Secret, {some_event, maps:remove('__struct__', latency())}))},
         {latency_tag_mismatch, forward(<<"latency">>, sign(Secret, {throughput_metric, latency()}))},
         {latency_wrong_number_types,
          forward(<<"latency">>, sign(Secret, {latency_metric, maps:merge(latency(), #{latency_ms => 7, sample_count => 10.0})}))},
         {throughput_list_count,
          forward(<<"throughput">>, sign(Secret, {throughput_metric, maps:put(count, [a, b, c], throughput())}))},
         {alert_loose_strings,
          forward(<<"critical">>, sign(Secret, {system_alert, maps:merge(system_alert(), #{alert_id => 'a-atom', title => "charlist title"})}))},
         {unknown_tag, forward(<<"x">>, sign(Secret, {weird_tag, #{foo => 1}}))},
         {not_a_map, forward(<<"latency">>, sign(Secret, {latency_metric, 42}))},
         {missing_field, forward(<<"latency">>, sign(Secret, {latency_metric, maps:remove(latency_ms, latency())}))}].

payloads() ->
    [{performance_metric, <<"performance">>, {performance_metric, performance()}},
     {throughput_metric, <<"throughput">>, {throughput_metric, throughput()}},
     {latency_metric, <<"latency">>, {latency_metric, latency()}},
     {resource_usage, <<"resource_usage">>, {resource_usage, resource()}},
     {metric_alert, <<"persistence">>, {metric_alert, metric_alert()}},
     {node_health_updated, <<"component_health">>, {node_health_updated, node_health()}},
     {cluster_health_updated, <<"cluster:health">>, {cluster_health_updated, cluster_health()}},
     {component_health_updated, <<"store:health">>, {component_health_updated, component_health()}},
     {health_check_completed, <<"store:health">>, {health_check_completed, health_check()}},
     {system_alert, <<"critical">>, {system_alert, system_alert()}},
     {alert_acknowledged, <<"warnings">>, {alert_acknowledged, alert_ack()}},
     {alert_escalated, <<"escalations">>, {alert_escalated, escalation()}},
     {notification_status, <<"escalations">>, {notification_status, notification()}}] ++ bus_payloads().

%% One payload of every struct of the system, lifecycle, audit, diagnostics, security and logging
%% buses (ExESDBGater 0.8), with the topics their modules document.
bus_payloads() ->
    [{system_lifecycle_event, <<"lifecycle">>, {system_lifecycle_event, system_lifecycle()}},
     {system_config_changed, <<"config">>, {system_config_changed, system_config()}},
     {feature_toggle_changed, <<"features">>, {feature_toggle_changed, feature_toggle()}},
     {node_lifecycle_event, <<"node_lifecycle">>, {node_lifecycle_event, node_lifecycle()}},
     {process_lifecycle_event, <<"process_lifecycle">>, {process_lifecycle_event, process_lifecycle()}},
     {supervision_event, <<"supervision">>, {supervision_event, supervision()}},
     {cluster_membership_changed, <<"cluster_membership">>, {cluster_membership_changed, membership()}},
     {data_change, <<"data_changes">>, {data_change, data_change()}},
     {admin_action, <<"admin_actions">>, {admin_action, admin_action()}},
     {access_log, <<"access_logs">>, {access_log, access_log()}},
     {compliance_event, <<"compliance">>, {compliance_event, compliance()}},
     {debug_trace, <<"debug_traces">>, {debug_trace, debug_trace()}},
     {performance_analysis, <<"performance_analysis">>, {performance_analysis, performance_analysis()}},
     {system_state, <<"system_state">>, {system_state, system_state()}},
     {error_analysis, <<"error_analysis">>, {error_analysis, error_analysis()}},
     {auth_event, <<"auth_events">>, {auth_event, auth_event()}},
     {access_violation, <<"access_violations">>, {access_violation, access_violation()}},
     {security_alert, <<"security_alerts">>, {security_alert, security_alert()}},
     {session_event, <<"session_events">>, {session_event, session_event()}},
     {log_entry, <<"error_logs">>, {log_entry, log_entry()}},
     {log_summary, <<"system_logs">>, {log_summary, log_summary()}},
     {log_filter_updated, <<"system_logs">>, {log_filter_updated, log_filter()}},
     {log_rotation, <<"system_logs">>, {log_rotation, log_rotation()}}].

%% Each struct of bus_payloads/0 also as a plain map under its tag (<tag>_plain), as a plain map
%% under a tag nobody knows (<tag>_by_shape: recognized by its keys), and under the tag of another
%% kind (<tag>_mismatch: decoded by its struct).
bus_variants(Secret) ->
    lists:append(
      [[{suffixed(Tag, "_plain"), forward(Topic, sign(Secret, {Tag, maps:remove('__struct__', P)}))},
        {suffixed(Tag, "_by_shape"), forward(Topic, sign(Secret, {ops_event, maps:remove('__struct__', P)}))},
        {suffixed(Tag, "_mismatch"), forward(Topic, sign(Secret, {latency_metric, P}))}]
       || {Tag, Topic, {Tag, P}} <- bus_payloads()]).

suffixed(Tag, Suffix) -> list_to_atom(atom_to_list(Tag) ++ Suffix).

%% What ExESDB's LoggingPublisher broadcasts, bare and unsigned (ExESDB 0.11,
%% package/lib/ex_esdb/logging_publisher.ex), once per topic.
log_event() ->
    {log_event, #{component => emitter_pool, event_type => startup, store_id => main_store, pid => self(),
                  timestamp => ts_micro(), message => <<"Emitter pool started">>, metadata => #{pool_size => 3}}}.

%% What ExESDB 0.11 sends on the other buses, and hostile payloads: ExESDB's own process events
%% with an atom for a pid, its audit and trace helpers called with shifted arguments (a map for
%% the action, an atom for the operation), unknown enumerations, megabytes of text, long lists.
bus_real_shapes() ->
    [{process_store_started, <<"process_lifecycle">>,
      {process_lifecycle_event,
       maps:merge(process_lifecycle(), #{pid => main_store, name => nil, module => unknown, event => store_started,
                                         reason => nil, restart_count => 0})}},
     {data_change_shifted, <<"data_changes">>,
      {data_change, maps:merge(data_change(), #{action => #{stream_id => <<"orders-17">>, version => 4}})}},
     {debug_trace_shifted, <<"debug_traces">>,
      {debug_trace, maps:merge(debug_trace(), #{operation => append_events, duration_ms => nil})}},
     {auth_unknown_enums, <<"auth_events">>,
      {auth_event, maps:merge(auth_event(), #{event_type => mfa_challenge, auth_method => <<"passkey">>})}},
     {log_entry_warning_huge_module, <<"error_logs">>,
      {log_entry, maps:merge(log_entry(), #{level => warning, module => binary:copy(<<"M">>, 300)})}},
     {log_summary_nothing_usable, <<"system_logs">>,
      {log_summary, maps:merge(log_summary(), #{log_counts => #{}, error_rate => <<"high">>, total_logs => nil})}}].

%% What ExESDB 0.11 really sends (beam-campus/ex-esdb, package/lib/ex_esdb/pubsub_integration.ex):
%% broadcast_cluster_health(Nodes, FailedNodes, EventType, Opts) calls the Gater's
%% cluster_health(Status, HealthyNodes, TotalNodes, Opts) with those arguments, so the struct's
%% fields hold other things; create_alert_message falls back to a plain map without alert_id.
%% Timestamps are DateTime.utc_now() (microsecond precision 6).
real_shapes() ->
    [{cluster_health_shifted, <<"cluster:health">>,
      {cluster_health_updated,
       gater_wire:struct(cluster_health_updated,
                         #{status => ['ex_esdb@node1', 'ex_esdb@node2'], healthy_nodes => ['ex_esdb@node3'],
                           total_nodes => node_down, degraded_nodes => [], unhealthy_nodes => [],
                           quorum_status => available},
                         ts_micro())}},
     {system_alert_plain_map, <<"node_failure">>,
      {system_alert,
       #{category => system, description => <<"node ex_esdb@node3 is down">>, node => 'ex_esdb@node1',
         severity => critical, source => cluster_monitor, timestamp => ts_micro(), title => <<"Node failure">>}}}].

ts_micro() ->
    maps:put(microsecond, {123456, 6}, ts()).

%% 2026-11-22T10:15:30.123Z
ts() ->
    gater_wire:datetime({{2026, 11, 22}, {10, 15, 30}}, 123).

performance() ->
    gater_wire:struct(performance_metric,
                      #{metric_name => write_queue_depth, value => 42, unit => <<"items">>,
                        node => 'ex_esdb@host-1', component => persistence,
                        tags => #{shard => 3, ratio => 0.5, label => <<"not a number">>}},
                      ts()).
throughput() ->
    gater_wire:struct(throughput_metric,
                      #{operation => stream_append, count => 1200, duration_ms => 1000, rate_per_sec => 1200.0,
                        node => 'ex_esdb@host-1'},
                      ts()).
latency() ->
    gater_wire:struct(latency_metric,
                      #{operation => stream_read, latency_ms => 12.75, percentile => p99, sample_count => 1500,
                        node => 'ex_esdb@host-1'},
                      ts()).
resource() ->
    gater_wire:struct(resource_usage,
                      #{resource_type => memory, usage_percent => 71.5, total_available => 17179869184,
                        current_used => 12283418214, node => 'ex_esdb@host-2'},
                      ts()).
metric_alert() ->
    gater_wire:struct(metric_alert,
                      #{metric_name => write_latency, current_value => 250.0, threshold_value => 100,
                        threshold_type => max, severity => critical, node => 'ex_esdb@host-1'},
                      ts()).
node_health() ->
    gater_wire:struct(node_health_updated,
                      #{node => 'ex_esdb@host-2', status => degraded,
                        checks => #{disk => true, memory => false, <<"raft">> => ok, network => {error, timeout},
                                    other => 17},
                        load_avg => 1.25, memory_usage => 71.5, disk_usage => 40},
                      ts()).
cluster_health() ->
    gater_wire:struct(cluster_health_updated,
                      #{status => degraded, healthy_nodes => 2, total_nodes => 3,
                        degraded_nodes => ['ex_esdb@host-2'], unhealthy_nodes => [], quorum_status => available},
                      ts()).
component_health() ->
    gater_wire:struct(component_health_updated,
                      #{component => store_worker, node => 'ex_esdb@host-1', status => healthy,
                        details => #{store_id => main_store}, last_check => nil},
                      ts()).
health_check() ->
    gater_wire:struct(health_check_completed,
                      #{check_name => disk_space, node => 'ex_esdb@host-3', result => fail, duration_ms => 35,
                        details => #{}, error => <<"disk 97% full">>},
                      ts()).
system_alert() ->
    gater_wire:struct(system_alert,
                      #{alert_id => <<"alert-1">>, severity => critical, category => network,
                        title => <<"Node down">>, description => <<"ex_esdb@host-3 unreachable">>,
                        source => cluster_monitor, node => 'ex_esdb@host-1',
                        metadata => #{affected_node => 'ex_esdb@host-3'}, requires_ack => true},
                      ts()).
alert_ack() ->
    gater_wire:struct(alert_acknowledged,
                      #{alert_id => <<"alert-1">>, ack_by => <<"oncall">>, ack_note => <<"looking">>,
                        resolution => nil, ack_timestamp => ts()},
                      ts()).
escalation() ->
    gater_wire:struct(alert_escalated,
                      #{alert_id => <<"alert-1">>, from_level => level1, to_level => level2,
                        escalation_reason => <<"no ack in 5m">>, escalated_by => escalation_manager,
                        notify_contacts => [<<"ops@example.com">>, "sre@example.com"]},
                      ts()).
notification() ->
    gater_wire:struct(notification_status,
                      #{alert_id => <<"alert-1">>, delivery_method => webhook,
                        recipient => <<"https://hooks.example/x">>, status => failed,
                        error_reason => <<"timeout">>, attempts => 3},
                      ts()).

system_lifecycle() ->
    gater_wire:struct(system_lifecycle_event,
                      #{event => started, system_name => ex_esdb, version => <<"0.11.0">>,
                        node => 'ex_esdb@host-1'},
                      ts()).
system_config() ->
    gater_wire:struct(system_config_changed,
                      #{component => store, changes => #{max_streams => 1000},
                        previous_config => #{max_streams => 500}, changed_by => <<"admin">>,
                        node => 'ex_esdb@host-1'},
                      ts()).
feature_toggle() ->
    gater_wire:struct(feature_toggle_changed,
                      #{feature => snapshots, enabled => true, previous_state => false, changed_by => <<"ops">>,
                        node => 'ex_esdb@host-2'},
                      ts()).
node_lifecycle() ->
    gater_wire:struct(node_lifecycle_event,
                      #{node => 'ex_esdb@host-3', event => joined, cluster_size => 3, metadata => #{}},
                      ts()).
process_lifecycle() ->
    gater_wire:struct(process_lifecycle_event,
                      #{pid => self(), name => ex_esdb_store_worker, module => 'Elixir.ExESDB.StoreWorker',
                        event => restarted, node => 'ex_esdb@host-1', reason => {shutdown, timeout},
                        restart_count => 2},
                      ts()).
supervision() ->
    gater_wire:struct(supervision_event,
                      #{supervisor => 'Elixir.ExESDB.System',
                        child_spec => #{id => store_worker,
                                        start => {'Elixir.ExESDB.StoreWorker', start_link, [[]]}},
                        event => child_terminated, node => 'ex_esdb@host-1', reason => shutdown},
                      ts()).
membership() ->
    gater_wire:struct(cluster_membership_changed,
                      #{event => node_added, affected_nodes => ['ex_esdb@host-3'],
                        active_nodes => ['ex_esdb@host-1', 'ex_esdb@host-2', 'ex_esdb@host-3'],
                        total_nodes => 3, quorum_status => available, originating_node => 'ex_esdb@host-1'},
                      ts()).
data_change() ->
    gater_wire:struct(data_change,
                      #{user_id => <<"user-42">>, resource_type => <<"stream">>, resource_id => <<"orders-17">>,
                        action => update, changes => #{version => {3, 4}}, metadata => #{},
                        source_ip => <<"10.0.0.7">>, node => 'ex_esdb@host-1'},
                      ts()).
admin_action() ->
    gater_wire:struct(admin_action,
                      #{admin_user_id => <<"admin-1">>, action_type => permissions_changed,
                        target_resource => <<"user-42">>, details => #{role => reader},
                        justification => <<"least privilege">>, source_ip => <<"10.0.0.8">>,
                        node => 'ex_esdb@host-2'},
                      ts()).
access_log() ->
    gater_wire:struct(access_log,
                      #{user_id => <<"user-42">>, resource_type => <<"stream">>, resource_id => <<"orders-17">>,
                        action => <<"read">>, success => false, duration_ms => 12, source_ip => <<"10.0.0.7">>,
                        user_agent => <<"curl/8.0">>, node => 'ex_esdb@host-1'},
                      ts()).
compliance() ->
    gater_wire:struct(compliance_event,
                      #{event_type => data_retention, compliance_rule => <<"retention-90d">>,
                        affected_data => #{streams => 3}, action_taken => <<"purged">>, user_id => nil,
                        automated => true, metadata => #{}, node => 'ex_esdb@host-1'},
                      ts()).
debug_trace() ->
    gater_wire:struct(debug_trace,
                      #{trace_id => <<"trace_0a1b2c3d">>, component => emitter_pool,
                        operation => <<"dispatch">>, trace_data => #{events => 12}, stack_trace => nil,
                        duration_ms => 250, node => 'ex_esdb@host-1', metadata => #{}},
                      ts()).
performance_analysis() ->
    gater_wire:struct(performance_analysis,
                      #{analysis_id => <<"analysis_77">>, component => persistence, analysis_type => bottleneck,
                        findings => #{queue_depth => 1200, p99_ms => 45.5, hot_stream => <<"orders">>},
                        recommendations => [<<"add a writer">>], severity => high, node => 'ex_esdb@host-2'},
                      ts()).
system_state() ->
    gater_wire:struct(system_state,
                      #{snapshot_id => <<"snapshot_5">>, snapshot_type => process_tree, state_data => #{},
                        process_count => 1842, memory_usage => 268435456, node => 'ex_esdb@host-1',
                        trigger_reason => <<"scheduled">>},
                      ts()).
error_analysis() ->
    gater_wire:struct(error_analysis,
                      #{error_id => <<"error_9">>, error_type => timeout,
                        error_message => <<"GenServer.call timed out">>, stack_trace => [], context => #{},
                        frequency => 17, first_seen => ts(), last_seen => ts(), node => 'ex_esdb@host-3'},
                      ts()).
auth_event() ->
    gater_wire:struct(auth_event,
                      #{user_id => <<"user-42">>, event_type => login_failure, auth_method => password,
                        source_ip => <<"203.0.113.9">>, user_agent => <<"curl/8.0">>, node => 'ex_esdb@host-2',
                        metadata => #{}},
                      ts()).
access_violation() ->
    gater_wire:struct(access_violation,
                      #{user_id => <<"user-42">>, violation_type => permission_denied,
                        resource => <<"stream:orders">>, action => <<"write">>, source_ip => <<"203.0.113.9">>,
                        severity => high, metadata => #{}},
                      ts()).
security_alert() ->
    gater_wire:struct(security_alert,
                      #{alert_type => brute_force, severity => critical,
                        description => <<"12 failed logins in 60 s">>,
                        affected_users => [<<"user-42">>, <<"user-7">>], source_ip => <<"203.0.113.9">>,
                        node => 'ex_esdb@host-2', metadata => #{}},
                      ts()).
session_event() ->
    gater_wire:struct(session_event,
                      #{session_id => <<"sess-9">>, user_id => <<"user-42">>, event_type => expired,
                        duration_ms => 1800000, source_ip => <<"10.0.0.7">>, node => 'ex_esdb@host-1'},
                      ts()).
bus_log_entry() -> log_entry().

log_entry() ->
    gater_wire:struct(log_entry,
                      #{log_id => <<"log_31">>, level => error, message => <<"append failed">>,
                        module => 'Elixir.ExESDB.StreamsWriter', function => <<"append/3">>, line => 88,
                        node => 'ex_esdb@host-1', pid => self(), metadata => #{}},
                      ts()).
log_summary() ->
    gater_wire:struct(log_summary,
                      #{summary_id => <<"summary_2">>, time_period => <<"last_hour">>,
                        log_counts => #{info => 1200, warn => 40, error => 7}, top_errors => [],
                        error_rate => 0.5, nodes_reporting => ['ex_esdb@host-1'], total_logs => 1247},
                      ts()).
log_filter() ->
    gater_wire:struct(log_filter_updated,
                      #{filter_id => <<"filter_4">>, filter_type => level, filter_value => debug,
                        action => exclude, enabled => true, created_by => <<"ops">>, metadata => #{}},
                      ts()).
log_rotation() ->
    gater_wire:struct(log_rotation,
                      #{rotation_id => <<"rotation_8">>, log_type => <<"audit">>,
                        old_file => <<"/var/log/ex_esdb/audit.log.1">>,
                        new_file => <<"/var/log/ex_esdb/audit.log">>, file_size => 10485760,
                        entries_count => 52000, node => 'ex_esdb@host-3'},
                      ts()).
