%% DEMO ONLY (a stand-in for a real ExESDB cluster): the thirteen ExESDBGater payloads as Elixir
%% structs, i.e. maps with '__struct__' => 'Elixir.ExESDBGater.Messages.<Module>' and DateTime
%% timestamps in UTC truncated to milliseconds (docs/architecture.md, Payloads). Each function returns the
%% Inner term {Tag, Struct} that exesdb_demo:broadcast/4 signs.
-module(demo_payloads).
-export([utc_now/0, performance/5, throughput/4, latency/5, resource/4, metric_alert/6, node_health/6,
         cluster_health/5, component_health/4, health_check/5, system_alert/7, alert_ack/3, escalation/4,
         notification/5]).

-define(M(Suffix), list_to_atom("Elixir.ExESDBGater.Messages." ++ Suffix)).

%% DateTime.utc_now() |> DateTime.truncate(:millisecond)
utc_now() ->
    Milliseconds = erlang:system_time(millisecond),
    {{Year, Month, Day}, {Hour, Minute, Second}} = calendar:system_time_to_universal_time(Milliseconds, millisecond),
    #{'__struct__' => 'Elixir.DateTime', calendar => 'Elixir.Calendar.ISO', year => Year, month => Month,
      day => Day, hour => Hour, minute => Minute, second => Second,
      microsecond => {(Milliseconds rem 1000) * 1000, 3}, time_zone => <<"Etc/UTC">>, zone_abbr => <<"UTC">>,
      utc_offset => 0, std_offset => 0}.

performance(Component, MetricName, Value, Unit, Tags) ->
    {performance_metric,
     #{'__struct__' => ?M("MetricsMessages.PerformanceMetric"), metric_name => MetricName, value => Value,
       unit => Unit, node => node(), component => Component, tags => Tags, timestamp => utc_now()}}.

throughput(Operation, Count, DurationMs, RatePerSec) ->
    {throughput_metric,
     #{'__struct__' => ?M("MetricsMessages.ThroughputMetric"), operation => Operation, count => Count,
       duration_ms => DurationMs, rate_per_sec => RatePerSec, node => node(), timestamp => utc_now()}}.

latency(Operation, LatencyMs, Percentile, SampleCount, Node) ->
    {latency_metric,
     #{'__struct__' => ?M("MetricsMessages.LatencyMetric"), operation => Operation, latency_ms => LatencyMs,
       percentile => Percentile, sample_count => SampleCount, node => Node, timestamp => utc_now()}}.

resource(Type, UsagePercent, TotalAvailable, CurrentUsed) ->
    {resource_usage,
     #{'__struct__' => ?M("MetricsMessages.ResourceUsage"), resource_type => Type, usage_percent => UsagePercent,
       total_available => TotalAvailable, current_used => CurrentUsed, node => node(), timestamp => utc_now()}}.

metric_alert(MetricName, Current, Threshold, ThresholdType, Severity, Node) ->
    {metric_alert,
     #{'__struct__' => ?M("MetricsMessages.MetricAlert"), metric_name => MetricName, current_value => Current,
       threshold_value => Threshold, threshold_type => ThresholdType, severity => Severity, node => Node,
       timestamp => utc_now()}}.

node_health(Node, Status, Checks, LoadAvg, MemoryPercent, DiskPercent) ->
    {node_health_updated,
     #{'__struct__' => ?M("HealthMessages.NodeHealth"), node => Node, status => Status, checks => Checks,
       load_avg => LoadAvg, memory_usage => MemoryPercent, disk_usage => DiskPercent, timestamp => utc_now()}}.

cluster_health(Status, Healthy, Total, Degraded, Unhealthy) ->
    Quorum = case length(Healthy) + length(Degraded) > Total div 2 of
                 true -> available;
                 false -> lost
             end,
    {cluster_health_updated,
     #{'__struct__' => ?M("HealthMessages.ClusterHealth"), status => Status, healthy_nodes => length(Healthy),
       total_nodes => Total, degraded_nodes => Degraded, unhealthy_nodes => Unhealthy, quorum_status => Quorum,
       timestamp => utc_now()}}.

component_health(Component, Status, Details, LastCheck) ->
    {component_health_updated,
     #{'__struct__' => ?M("HealthMessages.ComponentHealth"), component => Component, node => node(),
       status => Status, details => Details, last_check => LastCheck, timestamp => utc_now()}}.

health_check(CheckName, Result, DurationMs, Details, Error) ->
    {health_check_completed,
     #{'__struct__' => ?M("HealthMessages.HealthCheck"), check_name => CheckName, node => node(), result => Result,
       duration_ms => DurationMs, details => Details, error => Error, timestamp => utc_now()}}.

system_alert(AlertId, Severity, Category, Title, Description, Metadata, RequiresAck) ->
    {system_alert,
     #{'__struct__' => ?M("AlertMessages.SystemAlert"), alert_id => AlertId, severity => Severity,
       category => Category, title => Title, description => Description, source => demo_alert_monitor,
       node => node(), metadata => Metadata, requires_ack => RequiresAck, timestamp => utc_now()}}.

alert_ack(AlertId, AckBy, Note) ->
    Now = utc_now(),
    {alert_acknowledged,
     #{'__struct__' => ?M("AlertMessages.AlertAck"), alert_id => AlertId, ack_by => AckBy, ack_note => Note,
       resolution => <<"resolved">>, ack_timestamp => Now, timestamp => Now}}.

escalation(AlertId, From, To, Contacts) ->
    {alert_escalated,
     #{'__struct__' => ?M("AlertMessages.AlertEscalation"), alert_id => AlertId, from_level => From,
       to_level => To, escalation_reason => <<"not acknowledged in time">>, escalated_by => escalation_manager,
       notify_contacts => Contacts, timestamp => utc_now()}}.

notification(AlertId, Method, Recipient, Status, Attempts) ->
    ErrorReason = case Status of
                      failed -> <<"connection timed out">>;
                      bounced -> <<"mailbox unavailable">>;
                      _ -> nil
                  end,
    {notification_status,
     #{'__struct__' => ?M("AlertMessages.NotificationStatus"), alert_id => AlertId, delivery_method => Method,
       recipient => Recipient, status => Status, error_reason => ErrorReason, attempts => Attempts,
       timestamp => utc_now()}}.
