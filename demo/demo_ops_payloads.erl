%% DEMO ONLY (a stand-in for a real ExESDB cluster): the structs of ExESDBGater's system,
%% lifecycle, audit, diagnostics, security and logging buses (README, The other six buses), Elixir-shaped
%% as demo_payloads makes the other thirteen. Each function returns the Inner term {Tag, Struct}
%% that exesdb_demo:broadcast/4 signs.
-module(demo_ops_payloads).
-export([system_lifecycle/3, system_config/2, feature_toggle/3, node_lifecycle/3, process_lifecycle/4,
         supervision/2, cluster_membership/4, data_change/3, admin_action/2, access_log/4, compliance/2,
         debug_trace/3, performance_analysis/4, system_state/3, error_analysis/2, auth_event/3,
         access_violation/2, security_alert/4, session_event/3, log_entry/3, log_summary/2, log_filter/2,
         log_rotation/3]).

-define(M(Suffix), list_to_atom("Elixir.ExESDBGater.Messages." ++ Suffix)).

struct(Tag, Module, Fields) ->
    {Tag, Fields#{'__struct__' => ?M(Module), timestamp => demo_payloads:utc_now()}}.

system_lifecycle(Event, Version, StartedAt) ->
    {Tag, Struct} = struct(system_lifecycle_event, "SystemMessages.SystemLifecycle",
                           #{event => Event, system_name => ex_esdb, version => Version, node => node()}),
    {Tag, Struct#{timestamp => StartedAt}}.

system_config(Component, Changes) ->
    struct(system_config_changed, "SystemMessages.SystemConfig",
           #{component => Component, changes => Changes, previous_config => nil, changed_by => <<"ops">>,
             node => node()}).

feature_toggle(Feature, Enabled, Previous) ->
    struct(feature_toggle_changed, "SystemMessages.FeatureToggle",
           #{feature => Feature, enabled => Enabled, previous_state => Previous, changed_by => <<"ops">>,
             node => node()}).

node_lifecycle(Node, Event, ClusterSize) ->
    struct(node_lifecycle_event, "LifecycleMessages.NodeLifecycle",
           #{node => Node, event => Event, cluster_size => ClusterSize, metadata => #{}}).

process_lifecycle(Name, Module, Event, RestartCount) ->
    struct(process_lifecycle_event, "LifecycleMessages.ProcessLifecycle",
           #{pid => self(), name => Name, module => Module, event => Event, node => node(),
             reason => case Event of crashed -> {shutdown, timeout}; _ -> nil end, restart_count => RestartCount}).

supervision(Event, Child) ->
    struct(supervision_event, "LifecycleMessages.SupervisionEvent",
           #{supervisor => 'Elixir.ExESDB.System', child_spec => #{id => Child}, event => Event, node => node(),
             reason => nil}).

cluster_membership(Event, Affected, Active, Total) ->
    struct(cluster_membership_changed, "LifecycleMessages.ClusterMembership",
           #{event => Event, affected_nodes => Affected, active_nodes => Active, total_nodes => Total,
             quorum_status => case length(Active) > Total div 2 of true -> available; false -> lost end,
             originating_node => node()}).

data_change(ResourceType, Action, User) ->
    struct(data_change, "AuditMessages.DataChange",
           #{user_id => User, resource_type => ResourceType, resource_id => <<"orders-17">>, action => Action,
             changes => #{}, metadata => #{}, source_ip => <<"10.0.0.7">>, node => node()}).

admin_action(ActionType, Admin) ->
    struct(admin_action, "AuditMessages.AdminAction",
           #{admin_user_id => Admin, action_type => ActionType, target_resource => <<"user-7">>, details => #{},
             justification => <<"demo">>, source_ip => <<"10.0.0.8">>, node => node()}).

access_log(ResourceType, Action, Success, DurationMs) ->
    struct(access_log, "AuditMessages.AccessLog",
           #{user_id => <<"user-42">>, resource_type => ResourceType, resource_id => <<"orders-17">>,
             action => Action, success => Success, duration_ms => DurationMs, source_ip => <<"10.0.0.7">>,
             user_agent => <<"ex_esdb_client/0.11">>, node => node()}).

compliance(EventType, Automated) ->
    struct(compliance_event, "AuditMessages.ComplianceEvent",
           #{event_type => EventType, compliance_rule => <<"retention-90d">>, affected_data => #{streams => 3},
             action_taken => <<"purged expired events">>, user_id => nil, automated => Automated, metadata => #{},
             node => node()}).

debug_trace(Component, Operation, DurationMs) ->
    struct(debug_trace, "DiagnosticsMessages.DebugTrace",
           #{trace_id => <<"trace_demo">>, component => Component, operation => Operation, trace_data => #{},
             stack_trace => nil, duration_ms => DurationMs, node => node(), metadata => #{}}).

performance_analysis(Component, Type, Findings, Severity) ->
    struct(performance_analysis, "DiagnosticsMessages.PerformanceAnalysis",
           #{analysis_id => <<"analysis_demo">>, component => Component, analysis_type => Type, findings => Findings,
             recommendations => [<<"see the findings">>], severity => Severity, node => node()}).

system_state(Type, ProcessCount, MemoryBytes) ->
    struct(system_state, "DiagnosticsMessages.SystemState",
           #{snapshot_id => <<"snapshot_demo">>, snapshot_type => Type, state_data => #{}, process_count => ProcessCount,
             memory_usage => MemoryBytes, node => node(), trigger_reason => <<"scheduled">>}).

error_analysis(ErrorType, Frequency) ->
    Now = demo_payloads:utc_now(),
    struct(error_analysis, "DiagnosticsMessages.ErrorAnalysis",
           #{error_id => <<"error_demo">>, error_type => ErrorType, error_message => <<"demo error">>,
             stack_trace => [], context => #{}, frequency => Frequency, first_seen => Now, last_seen => Now,
             node => node()}).

auth_event(User, EventType, Method) ->
    struct(auth_event, "SecurityMessages.AuthEvent",
           #{user_id => User, event_type => EventType, auth_method => Method, source_ip => <<"203.0.113.9">>,
             user_agent => <<"ex_esdb_client/0.11">>, node => node(), metadata => #{}}).

%% The Gater's AccessViolation names no node.
access_violation(Type, Severity) ->
    struct(access_violation, "SecurityMessages.AccessViolation",
           #{user_id => <<"user-7">>, violation_type => Type, resource => <<"stream:audit">>, action => <<"write">>,
             source_ip => <<"203.0.113.9">>, severity => Severity, metadata => #{}}).

security_alert(Type, Severity, Description, AffectedUsers) ->
    struct(security_alert, "SecurityMessages.SecurityAlert",
           #{alert_type => Type, severity => Severity, description => Description, affected_users => AffectedUsers,
             source_ip => <<"203.0.113.9">>, node => node(), metadata => #{}}).

session_event(User, EventType, DurationMs) ->
    struct(session_event, "SecurityMessages.SessionEvent",
           #{session_id => <<"sess-demo">>, user_id => User, event_type => EventType, duration_ms => DurationMs,
             source_ip => <<"10.0.0.7">>, node => node()}).

log_entry(Level, Module, Message) ->
    struct(log_entry, "LoggingMessages.LogEntry",
           #{log_id => <<"log_demo">>, level => Level, message => Message, module => Module, function => nil,
             line => nil, node => node(), pid => self(), metadata => #{}}).

%% The Gater's LogSummary names no node.
log_summary(Counts, ErrorsPerMinute) ->
    struct(log_summary, "LoggingMessages.LogSummary",
           #{summary_id => <<"summary_demo">>, time_period => <<"last_minute">>, log_counts => Counts,
             top_errors => [], error_rate => ErrorsPerMinute, nodes_reporting => [node()],
             total_logs => lists:sum(maps:values(Counts))}).

log_filter(FilterType, Action) ->
    struct(log_filter_updated, "LoggingMessages.LogFilter",
           #{filter_id => <<"filter_demo">>, filter_type => FilterType, filter_value => debug, action => Action,
             enabled => true, created_by => <<"ops">>, metadata => #{}}).

log_rotation(LogType, FileSize, Entries) ->
    struct(log_rotation, "LoggingMessages.LogRotation",
           #{rotation_id => <<"rotation_demo">>, log_type => LogType, old_file => <<"/var/log/ex_esdb/demo.log.1">>,
             new_file => <<"/var/log/ex_esdb/demo.log">>, file_size => FileSize, entries_count => Entries,
             node => node()}).
