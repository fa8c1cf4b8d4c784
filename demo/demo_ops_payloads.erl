%% DEMO ONLY (a stand-in for a real ExESDB cluster): the values of the structs of ExESDBGater's
%% system, lifecycle, audit, diagnostics, security and logging buses (README, The other six buses);
%% gater_wire (erlang/) makes them the Gater's structs, as for demo_payloads' thirteen. Each
%% function returns the Inner term {Tag, Struct} that exesdb_demo:broadcast/4 signs.
-module(demo_ops_payloads).
-export([system_lifecycle/3, system_config/2, feature_toggle/3, node_lifecycle/3, process_lifecycle/4,
         supervision/2, cluster_membership/4, data_change/3, admin_action/2, access_log/4, compliance/2,
         debug_trace/3, performance_analysis/4, system_state/3, error_analysis/2, auth_event/3,
         access_violation/2, security_alert/4, session_event/3, log_entry/3, log_summary/2, log_filter/2,
         log_rotation/3]).

-import(gater_wire, [inner_now/2]).

system_lifecycle(Event, Version, StartedAt) ->
    gater_wire:inner(system_lifecycle_event,
                     #{event => Event, system_name => ex_esdb, version => Version, node => node()}, StartedAt).

system_config(Component, Changes) ->
    inner_now(system_config_changed,
              #{component => Component, changes => Changes, previous_config => nil, changed_by => <<"ops">>,
                node => node()}).

feature_toggle(Feature, Enabled, Previous) ->
    inner_now(feature_toggle_changed,
              #{feature => Feature, enabled => Enabled, previous_state => Previous, changed_by => <<"ops">>,
                node => node()}).

node_lifecycle(Node, Event, ClusterSize) ->
    inner_now(node_lifecycle_event,
              #{node => Node, event => Event, cluster_size => ClusterSize, metadata => #{}}).

process_lifecycle(Name, Module, Event, RestartCount) ->
    inner_now(process_lifecycle_event,
              #{pid => self(), name => Name, module => Module, event => Event, node => node(),
                reason => case Event of crashed -> {shutdown, timeout}; _ -> nil end, restart_count => RestartCount}).

supervision(Event, Child) ->
    inner_now(supervision_event,
              #{supervisor => 'Elixir.ExESDB.System', child_spec => #{id => Child}, event => Event, node => node(),
                reason => nil}).

cluster_membership(Event, Affected, Active, Total) ->
    inner_now(cluster_membership_changed,
              #{event => Event, affected_nodes => Affected, active_nodes => Active, total_nodes => Total,
                quorum_status => case length(Active) > Total div 2 of true -> available; false -> lost end,
                originating_node => node()}).

data_change(ResourceType, Action, User) ->
    inner_now(data_change,
              #{user_id => User, resource_type => ResourceType, resource_id => <<"orders-17">>, action => Action,
                changes => #{}, metadata => #{}, source_ip => <<"10.0.0.7">>, node => node()}).

admin_action(ActionType, Admin) ->
    inner_now(admin_action,
              #{admin_user_id => Admin, action_type => ActionType, target_resource => <<"user-7">>, details => #{},
                justification => <<"demo">>, source_ip => <<"10.0.0.8">>, node => node()}).

access_log(ResourceType, Action, Success, DurationMs) ->
    inner_now(access_log,
              #{user_id => <<"user-42">>, resource_type => ResourceType, resource_id => <<"orders-17">>,
                action => Action, success => Success, duration_ms => DurationMs, source_ip => <<"10.0.0.7">>,
                user_agent => <<"ex_esdb_client/0.11">>, node => node()}).

compliance(EventType, Automated) ->
    inner_now(compliance_event,
              #{event_type => EventType, compliance_rule => <<"retention-90d">>, affected_data => #{streams => 3},
                action_taken => <<"purged expired events">>, user_id => nil, automated => Automated, metadata => #{},
                node => node()}).

debug_trace(Component, Operation, DurationMs) ->
    inner_now(debug_trace,
              #{trace_id => <<"trace_demo">>, component => Component, operation => Operation, trace_data => #{},
                stack_trace => nil, duration_ms => DurationMs, node => node(), metadata => #{}}).

performance_analysis(Component, Type, Findings, Severity) ->
    inner_now(performance_analysis,
              #{analysis_id => <<"analysis_demo">>, component => Component, analysis_type => Type,
                findings => Findings, recommendations => [<<"see the findings">>], severity => Severity, node => node()}).

system_state(Type, ProcessCount, MemoryBytes) ->
    inner_now(system_state,
              #{snapshot_id => <<"snapshot_demo">>, snapshot_type => Type, state_data => #{},
                process_count => ProcessCount, memory_usage => MemoryBytes, node => node(), trigger_reason => <<"scheduled">>}).

error_analysis(ErrorType, Frequency) ->
    Now = gater_wire:utc_now(),
    inner_now(error_analysis,
              #{error_id => <<"error_demo">>, error_type => ErrorType, error_message => <<"demo error">>,
                stack_trace => [], context => #{}, frequency => Frequency, first_seen => Now, last_seen => Now,
                node => node()}).

auth_event(User, EventType, Method) ->
    inner_now(auth_event,
              #{user_id => User, event_type => EventType, auth_method => Method, source_ip => <<"203.0.113.9">>,
                user_agent => <<"ex_esdb_client/0.11">>, node => node(), metadata => #{}}).

%% The Gater's AccessViolation names no node.
access_violation(Type, Severity) ->
    inner_now(access_violation,
              #{user_id => <<"user-7">>, violation_type => Type, resource => <<"stream:audit">>,
                action => <<"write">>, source_ip => <<"203.0.113.9">>, severity => Severity, metadata => #{}}).

security_alert(Type, Severity, Description, AffectedUsers) ->
    inner_now(security_alert,
              #{alert_type => Type, severity => Severity, description => Description, affected_users => AffectedUsers,
                source_ip => <<"203.0.113.9">>, node => node(), metadata => #{}}).

session_event(User, EventType, DurationMs) ->
    inner_now(session_event,
              #{session_id => <<"sess-demo">>, user_id => User, event_type => EventType, duration_ms => DurationMs,
                source_ip => <<"10.0.0.7">>, node => node()}).

log_entry(Level, Module, Message) ->
    inner_now(log_entry,
              #{log_id => <<"log_demo">>, level => Level, message => Message, module => Module, function => nil,
                line => nil, node => node(), pid => self(), metadata => #{}}).

%% The Gater's LogSummary names no node.
log_summary(Counts, ErrorsPerMinute) ->
    inner_now(log_summary,
              #{summary_id => <<"summary_demo">>, time_period => <<"last_minute">>, log_counts => Counts,
                top_errors => [], error_rate => ErrorsPerMinute, nodes_reporting => [node()],
                total_logs => lists:sum(maps:values(Counts))}).

log_filter(FilterType, Action) ->
    inner_now(log_filter_updated,
              #{filter_id => <<"filter_demo">>, filter_type => FilterType, filter_value => debug, action => Action,
                enabled => true, created_by => <<"ops">>, metadata => #{}}).

log_rotation(LogType, FileSize, Entries) ->
    inner_now(log_rotation,
              #{rotation_id => <<"rotation_demo">>, log_type => LogType,
                old_file => <<"/var/log/ex_esdb/demo.log.1">>, new_file => <<"/var/log/ex_esdb/demo.log">>, file_size => FileSize, entries_count => Entries,
                node => node()}).
