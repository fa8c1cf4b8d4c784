%% ExESDBGater's messages as the wire carries them, for the demo and the test fixtures alike (it
%% is neither ExESDB nor the Gater; docs/architecture.md, Wire facts): the 36 payload structs of
%% the nine buses (their tags, modules, fields and buses), DateTime, the signed envelope, and
%% Phoenix.PubSub's PG2 broadcast. The demo (demo/) and the fixtures (gater_fixture,
%% pubsub_publisher) choose the values; what a struct and an envelope are is said here alone.
-module(gater_wire).
-export([tags/0, bus/1, module/1, fields/1, struct/3, inner/3, inner_now/2, datetime/2, utc_now/0, sign/2,
         sign_utf8/2, forward/2, group/2, broadcast/4]).

-define(SCOPE, 'Elixir.Phoenix.PubSub').

%% {Tag, Bus, Module suffix, the fields besides '__struct__' and timestamp}, as ExESDBGater 0.8
%% defines them (docs/architecture.md, Payloads).
schema() ->
    [{performance_metric, ex_esdb_metrics, "MetricsMessages.PerformanceMetric",
      [metric_name, value, unit, node, component, tags]},
     {throughput_metric, ex_esdb_metrics, "MetricsMessages.ThroughputMetric",
      [operation, count, duration_ms, rate_per_sec, node]},
     {latency_metric, ex_esdb_metrics, "MetricsMessages.LatencyMetric",
      [operation, latency_ms, percentile, sample_count, node]},
     {resource_usage, ex_esdb_metrics, "MetricsMessages.ResourceUsage",
      [resource_type, usage_percent, total_available, current_used, node]},
     {metric_alert, ex_esdb_metrics, "MetricsMessages.MetricAlert",
      [metric_name, current_value, threshold_value, threshold_type, severity, node]},
     {node_health_updated, ex_esdb_health, "HealthMessages.NodeHealth",
      [node, status, checks, load_avg, memory_usage, disk_usage]},
     {cluster_health_updated, ex_esdb_health, "HealthMessages.ClusterHealth",
      [status, healthy_nodes, total_nodes, degraded_nodes, unhealthy_nodes, quorum_status]},
     {component_health_updated, ex_esdb_health, "HealthMessages.ComponentHealth",
      [component, node, status, details, last_check]},
     {health_check_completed, ex_esdb_health, "HealthMessages.HealthCheck",
      [check_name, node, result, duration_ms, details, error]},
     {system_alert, ex_esdb_alerts, "AlertMessages.SystemAlert",
      [alert_id, severity, category, title, description, source, node, metadata, requires_ack]},
     {alert_acknowledged, ex_esdb_alerts, "AlertMessages.AlertAck",
      [alert_id, ack_by, ack_note, resolution, ack_timestamp]},
     {alert_escalated, ex_esdb_alerts, "AlertMessages.AlertEscalation",
      [alert_id, from_level, to_level, escalation_reason, escalated_by, notify_contacts]},
     {notification_status, ex_esdb_alerts, "AlertMessages.NotificationStatus",
      [alert_id, delivery_method, recipient, status, error_reason, attempts]},
     {system_lifecycle_event, ex_esdb_system, "SystemMessages.SystemLifecycle",
      [event, system_name, version, node]},
     {system_config_changed, ex_esdb_system, "SystemMessages.SystemConfig",
      [component, changes, previous_config, changed_by, node]},
     {feature_toggle_changed, ex_esdb_system, "SystemMessages.FeatureToggle",
      [feature, enabled, previous_state, changed_by, node]},
     {node_lifecycle_event, ex_esdb_lifecycle, "LifecycleMessages.NodeLifecycle",
      [node, event, cluster_size, metadata]},
     {process_lifecycle_event, ex_esdb_lifecycle, "LifecycleMessages.ProcessLifecycle",
      [pid, name, module, event, node, reason, restart_count]},
     {supervision_event, ex_esdb_lifecycle, "LifecycleMessages.SupervisionEvent",
      [supervisor, child_spec, event, node, reason]},
     {cluster_membership_changed, ex_esdb_lifecycle, "LifecycleMessages.ClusterMembership",
      [event, affected_nodes, active_nodes, total_nodes, quorum_status, originating_node]},
     {data_change, ex_esdb_audit, "AuditMessages.DataChange",
      [user_id, resource_type, resource_id, action, changes, metadata, source_ip, node]},
     {admin_action, ex_esdb_audit, "AuditMessages.AdminAction",
      [admin_user_id, action_type, target_resource, details, justification, source_ip, node]},
     {access_log, ex_esdb_audit, "AuditMessages.AccessLog",
      [user_id, resource_type, resource_id, action, success, duration_ms, source_ip, user_agent, node]},
     {compliance_event, ex_esdb_audit, "AuditMessages.ComplianceEvent",
      [event_type, compliance_rule, affected_data, action_taken, user_id, automated, metadata, node]},
     {debug_trace, ex_esdb_diagnostics, "DiagnosticsMessages.DebugTrace",
      [trace_id, component, operation, trace_data, stack_trace, duration_ms, node, metadata]},
     {performance_analysis, ex_esdb_diagnostics, "DiagnosticsMessages.PerformanceAnalysis",
      [analysis_id, component, analysis_type, findings, recommendations, severity, node]},
     {system_state, ex_esdb_diagnostics, "DiagnosticsMessages.SystemState",
      [snapshot_id, snapshot_type, state_data, process_count, memory_usage, node, trigger_reason]},
     {error_analysis, ex_esdb_diagnostics, "DiagnosticsMessages.ErrorAnalysis",
      [error_id, error_type, error_message, stack_trace, context, frequency, first_seen, last_seen, node]},
     {auth_event, ex_esdb_security, "SecurityMessages.AuthEvent",
      [user_id, event_type, auth_method, source_ip, user_agent, node, metadata]},
     %% The Gater's AccessViolation, LogSummary and LogFilter name no node.
     {access_violation, ex_esdb_security, "SecurityMessages.AccessViolation",
      [user_id, violation_type, resource, action, source_ip, severity, metadata]},
     {security_alert, ex_esdb_security, "SecurityMessages.SecurityAlert",
      [alert_type, severity, description, affected_users, source_ip, node, metadata]},
     {session_event, ex_esdb_security, "SecurityMessages.SessionEvent",
      [session_id, user_id, event_type, duration_ms, source_ip, node]},
     {log_entry, ex_esdb_logging, "LoggingMessages.LogEntry",
      [log_id, level, message, module, function, line, node, pid, metadata]},
     {log_summary, ex_esdb_logging, "LoggingMessages.LogSummary",
      [summary_id, time_period, log_counts, top_errors, error_rate, nodes_reporting, total_logs]},
     {log_filter_updated, ex_esdb_logging, "LoggingMessages.LogFilter",
      [filter_id, filter_type, filter_value, action, enabled, created_by, metadata]},
     {log_rotation, ex_esdb_logging, "LoggingMessages.LogRotation",
      [rotation_id, log_type, old_file, new_file, file_size, entries_count, node]}].

tags() -> [Tag || {Tag, _, _, _} <- schema()].

%% The bus a message travels on; a tag of no struct (ExESDB's bare log_event) is the logging bus's.
bus(Tag) ->
    case lists:keyfind(Tag, 1, schema()) of
        {Tag, Bus, _, _} -> Bus;
        false -> ex_esdb_logging
    end.

module(Tag) ->
    {Tag, _, Suffix, _} = lists:keyfind(Tag, 1, schema()),
    list_to_atom("Elixir.ExESDBGater.Messages." ++ Suffix).

fields(Tag) ->
    {Tag, _, _, Fields} = lists:keyfind(Tag, 1, schema()),
    Fields.

%% The struct of Tag as an Elixir struct travels: a map with '__struct__'. Fields must name
%% exactly the struct's fields, so that a builder cannot drift from the Gater's shape unnoticed
%% (a payload off that shape on purpose is built from this one, or as a plain map).
struct(Tag, Fields, Timestamp) ->
    Expected = lists:sort(fields(Tag)),
    case lists:sort(maps:keys(Fields)) of
        Expected -> Fields#{'__struct__' => module(Tag), timestamp => Timestamp};
        Given -> erlang:error({not_the_struct, Tag, {missing, Expected -- Given}, {unknown, Given -- Expected}})
    end.

%% What a Gater broadcast signs and carries: {Tag, Struct}.
inner(Tag, Fields, Timestamp) ->
    {Tag, struct(Tag, Fields, Timestamp)}.

%% inner/3 stamped now, as the Gater stamps what it sends.
inner_now(Tag, Fields) ->
    inner(Tag, Fields, utc_now()).

%% An Elixir DateTime in UTC with millisecond precision, as DateTime.truncate(:millisecond) leaves it.
datetime({{Year, Month, Day}, {Hour, Minute, Second}}, Millisecond) ->
    #{'__struct__' => 'Elixir.DateTime', calendar => 'Elixir.Calendar.ISO', year => Year, month => Month,
      day => Day, hour => Hour, minute => Minute, second => Second, microsecond => {Millisecond * 1000, 3},
      time_zone => <<"Etc/UTC">>, zone_abbr => <<"UTC">>, utc_offset => 0, std_offset => 0}.

%% DateTime.utc_now() |> DateTime.truncate(:millisecond)
utc_now() ->
    Milliseconds = erlang:system_time(millisecond),
    datetime(calendar:system_time_to_universal_time(Milliseconds, millisecond), Milliseconds rem 1000).

%% The Gater's signed envelope: HMAC-SHA256 with the SECRET_KEY_BASE over term_to_binary(Inner)
%% with this OTP's default options (Latin-1 atoms up to OTP 25, UTF-8 from OTP 26).
sign(Secret, Inner) ->
    {secure_message, crypto:mac(hmac, sha256, Secret, term_to_binary(Inner)), Inner}.

%% As an OTP 26+ publisher signs, whatever this OTP: UTF-8 atoms in term_to_binary.
sign_utf8(Secret, Inner) ->
    {secure_message, crypto:mac(hmac, sha256, Secret, term_to_binary(Inner, [{minor_version, 2}])), Inner}.

%% What a Phoenix.PubSub broadcast sends each member, for every topic of the bus.
forward(Topic, Message) ->
    {forward_to_local, Topic, Message, ?SCOPE}.

%% The PG2 adapter's pg groups of a bus: 'Elixir.<Bus>.Adapter', then '_2' .. '_N' with a pool.
group(Bus, 0) -> list_to_atom("Elixir." ++ atom_to_list(Bus) ++ ".Adapter");
group(Bus, Index) -> list_to_atom("Elixir." ++ atom_to_list(Bus) ++ ".Adapter_" ++ integer_to_list(Index + 1)).

%% Phoenix.PubSub.broadcast/3 with the PG2 adapter: one group of the pool, picked by
%% erlang:phash2(self(), PoolSize), and the message to each of its members on other nodes.
broadcast(PoolSize, Bus, Topic, Message) ->
    Group = group(Bus, erlang:phash2(self(), PoolSize)),
    [Pid ! forward(Topic, Message) || Pid <- pg:get_members(?SCOPE, Group), node(Pid) =/= node()],
    ok.
