%% DEMO ONLY (a stand-in for a real ExESDB cluster): the values of the thirteen ExESDBGater payloads
%% of the metrics, health and alerts buses; gater_wire (erlang/) makes them the Gater's structs,
%% stamped now (docs/architecture.md, Payloads). Each function returns the Inner term {Tag, Struct}
%% that exesdb_demo:broadcast/4 signs.
-module(demo_payloads).
-export([performance/5, throughput/4, latency/5, resource/4, metric_alert/6, node_health/6, cluster_health/5,
         component_health/4, health_check/5, system_alert/7, alert_ack/3, escalation/4, notification/5]).
-import(gater_wire, [inner_now/2]).

performance(Component, MetricName, Value, Unit, Tags) ->
    inner_now(performance_metric, #{metric_name => MetricName, value => Value, unit => Unit, node => node(),
                                    component => Component, tags => Tags}).

throughput(Operation, Count, DurationMs, RatePerSec) ->
    inner_now(throughput_metric, #{operation => Operation, count => Count, duration_ms => DurationMs,
                                   rate_per_sec => RatePerSec, node => node()}).

latency(Operation, LatencyMs, Percentile, SampleCount, Node) ->
    inner_now(latency_metric, #{operation => Operation, latency_ms => LatencyMs, percentile => Percentile,
                                sample_count => SampleCount, node => Node}).

resource(Type, UsagePercent, TotalAvailable, CurrentUsed) ->
    inner_now(resource_usage, #{resource_type => Type, usage_percent => UsagePercent,
                                total_available => TotalAvailable, current_used => CurrentUsed, node => node()}).

metric_alert(MetricName, Current, Threshold, ThresholdType, Severity, Node) ->
    inner_now(metric_alert, #{metric_name => MetricName, current_value => Current, threshold_value => Threshold,
                              threshold_type => ThresholdType, severity => Severity, node => Node}).

node_health(Node, Status, Checks, LoadAvg, MemoryPercent, DiskPercent) ->
    inner_now(node_health_updated, #{node => Node, status => Status, checks => Checks, load_avg => LoadAvg,
                                     memory_usage => MemoryPercent, disk_usage => DiskPercent}).

cluster_health(Status, Healthy, Total, Degraded, Unhealthy) ->
    Quorum = case length(Healthy) + length(Degraded) > Total div 2 of
                 true -> available;
                 false -> lost
             end,
    inner_now(cluster_health_updated, #{status => Status, healthy_nodes => length(Healthy), total_nodes => Total,
                                        degraded_nodes => Degraded, unhealthy_nodes => Unhealthy,
                                        quorum_status => Quorum}).

component_health(Component, Status, Details, LastCheck) ->
    inner_now(component_health_updated, #{component => Component, node => node(), status => Status,
                                          details => Details, last_check => LastCheck}).

health_check(CheckName, Result, DurationMs, Details, Error) ->
    inner_now(health_check_completed, #{check_name => CheckName, node => node(), result => Result,
                                        duration_ms => DurationMs, details => Details, error => Error}).

system_alert(AlertId, Severity, Category, Title, Description, Metadata, RequiresAck) ->
    inner_now(system_alert, #{alert_id => AlertId, severity => Severity, category => Category, title => Title,
                              description => Description, source => demo_alert_monitor, node => node(),
                              metadata => Metadata, requires_ack => RequiresAck}).

alert_ack(AlertId, AckBy, Note) ->
    Now = gater_wire:utc_now(),
    gater_wire:inner(alert_acknowledged, #{alert_id => AlertId, ack_by => AckBy, ack_note => Note,
                                           resolution => <<"resolved">>, ack_timestamp => Now},
                     Now).

escalation(AlertId, From, To, Contacts) ->
    inner_now(alert_escalated, #{alert_id => AlertId, from_level => From, to_level => To,
                                 escalation_reason => <<"not acknowledged in time">>,
                                 escalated_by => escalation_manager, notify_contacts => Contacts}).

notification(AlertId, Method, Recipient, Status, Attempts) ->
    ErrorReason = case Status of
                      failed -> <<"connection timed out">>;
                      bounced -> <<"mailbox unavailable">>;
                      _ -> nil
                  end,
    inner_now(notification_status, #{alert_id => AlertId, delivery_method => Method, recipient => Recipient,
                                     status => Status, error_reason => ErrorReason, attempts => Attempts}).
