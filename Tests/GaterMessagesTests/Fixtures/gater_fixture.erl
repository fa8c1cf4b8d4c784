%% Test fixture: ExESDBGater broadcasts as a publisher on this OTP builds them, signed with
%% crypto:mac(hmac, sha256, Secret, term_to_binary(Inner)) (this OTP's default options), and
%% encoded as the distribution carries them (UTF-8 atoms) inside forward_to_local tuples.
%%
%% write(Path, Secret) writes records <<NameLen:16, Name, Len:32, Bytes>>.
-module(gater_fixture).
-export([write/2, payloads/0, real_shapes/0]).

-define(M(Suffix), list_to_atom("Elixir.ExESDBGater.Messages." ++ Suffix)).

write(Path, Secret) ->
    Cases = cases(Secret),
    ok = file:write_file(Path, [record(Name, Message) || {Name, Message} <- Cases]),
    io:format("wrote ~b~n", [length(Cases)]).

record(Name, Message) ->
    NameBin = atom_to_binary(Name, utf8),
    Bytes = term_to_binary(Message, [{minor_version, 2}]),
    [<<(byte_size(NameBin)):16>>, NameBin, <<(byte_size(Bytes)):32>>, Bytes].

forward(Topic, Envelope) ->
    {forward_to_local, Topic, Envelope, 'Elixir.Phoenix.PubSub'}.

sign(Secret, Inner) ->
    {secure_message, crypto:mac(hmac, sha256, Secret, term_to_binary(Inner)), Inner}.

%% As an OTP 26+ publisher signs: UTF-8 atoms in term_to_binary.
sign_otp26(Secret, Inner) ->
    {secure_message, crypto:mac(hmac, sha256, Secret, term_to_binary(Inner, [{minor_version, 2}])), Inner}.

cases(Secret) ->
    Signed = [{Name, forward(Topic, sign(Secret, Inner))} || {Name, Topic, Inner} <- payloads()],
    Latency = {latency_metric, latency()},
    TamperedLatency = {latency_metric, maps:put(latency_ms, 99.0, latency())},
    {secure_message, GoodSig, _} = sign(Secret, Latency),
    Real = [{Name, forward(Topic, sign(Secret, Inner))} || {Name, Topic, Inner} <- real_shapes()],
    Signed ++ Real ++
        [{cluster_health_nothing_usable,
          forward(<<"cluster:health">>,
                  sign(Secret, {cluster_health_updated,
                                maps:merge(cluster_health(), #{status => #{}, healthy_nodes => <<"two">>,
                                                               total_nodes => {3}, degraded_nodes => 7,
                                                               unhealthy_nodes => 8, quorum_status => 9})}))},
         {latency_otp26, forward(<<"latency">>, sign_otp26(Secret, Latency))},
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
     {notification_status, <<"escalations">>, {notification_status, notification()}}].

%% What ExESDB 0.11 really sends (beam-campus/ex-esdb, package/lib/ex_esdb/pubsub_integration.ex):
%% broadcast_cluster_health(Nodes, FailedNodes, EventType, Opts) calls the Gater's
%% cluster_health(Status, HealthyNodes, TotalNodes, Opts) with those arguments, so the struct's
%% fields hold other things; create_alert_message falls back to a plain map without alert_id.
%% Timestamps are DateTime.utc_now() (microsecond precision 6).
real_shapes() ->
    [{cluster_health_shifted, <<"cluster:health">>,
      {cluster_health_updated,
       #{'__struct__' => ?M("HealthMessages.ClusterHealth"), status => ['ex_esdb@node1', 'ex_esdb@node2'],
         healthy_nodes => ['ex_esdb@node3'], total_nodes => node_down, degraded_nodes => [],
         unhealthy_nodes => [], quorum_status => available, timestamp => ts_micro()}}},
     {system_alert_plain_map, <<"node_failure">>,
      {system_alert,
       #{category => system, description => <<"node ex_esdb@node3 is down">>, node => 'ex_esdb@node1',
         severity => critical, source => cluster_monitor, timestamp => ts_micro(), title => <<"Node failure">>}}}].

ts_micro() ->
    maps:put(microsecond, {123456, 6}, ts()).

ts() ->
    #{'__struct__' => 'Elixir.DateTime', calendar => 'Elixir.Calendar.ISO', year => 2026, month => 11,
      day => 22, hour => 10, minute => 15, second => 30, microsecond => {123000, 3},
      time_zone => <<"Etc/UTC">>, zone_abbr => <<"UTC">>, utc_offset => 0, std_offset => 0}.

performance() ->
    #{'__struct__' => ?M("MetricsMessages.PerformanceMetric"), metric_name => write_queue_depth, value => 42,
      unit => <<"items">>, node => 'ex_esdb@host-1', component => persistence,
      tags => #{shard => 3, ratio => 0.5, label => <<"not a number">>}, timestamp => ts()}.
throughput() ->
    #{'__struct__' => ?M("MetricsMessages.ThroughputMetric"), operation => stream_append, count => 1200,
      duration_ms => 1000, rate_per_sec => 1200.0, node => 'ex_esdb@host-1', timestamp => ts()}.
latency() ->
    #{'__struct__' => ?M("MetricsMessages.LatencyMetric"), operation => stream_read, latency_ms => 12.75,
      percentile => p99, sample_count => 1500, node => 'ex_esdb@host-1', timestamp => ts()}.
resource() ->
    #{'__struct__' => ?M("MetricsMessages.ResourceUsage"), resource_type => memory, usage_percent => 71.5,
      total_available => 17179869184, current_used => 12283418214, node => 'ex_esdb@host-2', timestamp => ts()}.
metric_alert() ->
    #{'__struct__' => ?M("MetricsMessages.MetricAlert"), metric_name => write_latency, current_value => 250.0,
      threshold_value => 100, threshold_type => max, severity => critical, node => 'ex_esdb@host-1',
      timestamp => ts()}.
node_health() ->
    #{'__struct__' => ?M("HealthMessages.NodeHealth"), node => 'ex_esdb@host-2', status => degraded,
      checks => #{disk => true, memory => false, <<"raft">> => ok, network => {error, timeout}, other => 17},
      load_avg => 1.25, memory_usage => 71.5, disk_usage => 40, timestamp => ts()}.
cluster_health() ->
    #{'__struct__' => ?M("HealthMessages.ClusterHealth"), status => degraded, healthy_nodes => 2, total_nodes => 3,
      degraded_nodes => ['ex_esdb@host-2'], unhealthy_nodes => [], quorum_status => available, timestamp => ts()}.
component_health() ->
    #{'__struct__' => ?M("HealthMessages.ComponentHealth"), component => store_worker, node => 'ex_esdb@host-1',
      status => healthy, details => #{store_id => main_store}, last_check => nil, timestamp => ts()}.
health_check() ->
    #{'__struct__' => ?M("HealthMessages.HealthCheck"), check_name => disk_space, node => 'ex_esdb@host-3',
      result => fail, duration_ms => 35, details => #{}, error => <<"disk 97% full">>, timestamp => ts()}.
system_alert() ->
    #{'__struct__' => ?M("AlertMessages.SystemAlert"), alert_id => <<"alert-1">>, severity => critical,
      category => network, title => <<"Node down">>, description => <<"ex_esdb@host-3 unreachable">>,
      source => cluster_monitor, node => 'ex_esdb@host-1', metadata => #{affected_node => 'ex_esdb@host-3'},
      requires_ack => true, timestamp => ts()}.
alert_ack() ->
    #{'__struct__' => ?M("AlertMessages.AlertAck"), alert_id => <<"alert-1">>, ack_by => <<"oncall">>,
      ack_note => <<"looking">>, resolution => nil, ack_timestamp => ts(), timestamp => ts()}.
escalation() ->
    #{'__struct__' => ?M("AlertMessages.AlertEscalation"), alert_id => <<"alert-1">>, from_level => level1,
      to_level => level2, escalation_reason => <<"no ack in 5m">>, escalated_by => escalation_manager,
      notify_contacts => [<<"ops@example.com">>, "sre@example.com"], timestamp => ts()}.
notification() ->
    #{'__struct__' => ?M("AlertMessages.NotificationStatus"), alert_id => <<"alert-1">>, delivery_method => webhook,
      recipient => <<"https://hooks.example/x">>, status => failed, error_reason => <<"timeout">>, attempts => 3,
      timestamp => ts()}.
