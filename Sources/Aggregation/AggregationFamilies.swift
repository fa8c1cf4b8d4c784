import MetricsStore

/// The families this module emits: what ExESDB's messages become (docs/metrics.md). Registered at
/// start, with the other modules' (the catalogue is their union: ExporterApp's `MetricCatalogue`),
/// so each one is served (with its help, type and unit) before its first sample.
public enum AggregationFamilies {
    static let healthStates = ["healthy", "degraded", "unhealthy", "unknown"]
    /// `unknown` for a result outside the three the Gater documents, as for the health states.
    static let checkResults = ["pass", "fail", "timeout", "unknown"]

    static let performanceValue = gauge(
        "exesdb_performance_value", "Last PerformanceMetric value, in the unit its label names.",
        ["node", "component", "metric", "unit"])
    static let performanceReports = counter(
        "exesdb_performance_reports_total", "PerformanceMetric reports received.", ["node", "component", "metric"])
    static let performanceTag = gauge(
        "exesdb_performance_tag_value", "Numeric tags of the last PerformanceMetric.",
        ["node", "component", "metric", "tag"])
    static let operations = counter(
        "exesdb_operations_total", "Operations reported by ThroughputMetric (count, summed).",
        ["node", "operation"])
    static let operationWindows = counter(
        "exesdb_operations_window_seconds_total", "Measurement windows of ThroughputMetric, summed.",
        ["node", "operation"], unit: "seconds")
    static let throughput = gauge(
        "exesdb_throughput_ops_per_second", "Last reported operation rate (ThroughputMetric.rate_per_sec).",
        ["node", "operation"])
    static let latencyReported = gauge(
        "exesdb_latency_reported_seconds", "Last reported latency statistic (LatencyMetric).",
        ["node", "operation", "stat"], unit: "seconds")
    static let latency = FamilyDescriptor(
        name: "exesdb_latency_seconds", help: "Reported latency statistics, each LatencyMetric observed once.",
        type: .histogram, unit: "seconds", labelNames: ["node", "operation", "stat"],
        buckets: FamilyDescriptor.defaultBuckets)
    static let latencySamples = counter(
        "exesdb_latency_samples_total", "Samples behind the latency statistics (sample_count, summed).",
        ["node", "operation", "stat"])
    static let resourceUsage = gauge(
        "exesdb_resource_usage_ratio", "Resource usage (ResourceUsage.usage_percent / 100).", ["node", "resource"],
        unit: "ratio")
    static let resourceCapacity = gauge(
        "exesdb_resource_capacity", "Resource capacity (ResourceUsage.total_available).", ["node", "resource"])
    static let resourceUsed = gauge(
        "exesdb_resource_used", "Resource in use (ResourceUsage.current_used).", ["node", "resource"])
    static let thresholdViolations = counter(
        "exesdb_metric_threshold_violations_total", "MetricAlert threshold violations.",
        ["node", "metric", "threshold_type", "severity"])
    static let thresholdValue = gauge(
        "exesdb_metric_threshold_value", "Threshold of the last MetricAlert.", ["node", "metric", "threshold_type"])
    static let thresholdObserved = gauge(
        "exesdb_metric_threshold_observed_value", "Observed value of the last MetricAlert.",
        ["node", "metric", "threshold_type"])
    static let nodeHealth = stateSet(
        "exesdb_node_health_status", "Node health (NodeHealth.status).", ["node"], healthStates)
    static let nodeLoad = gauge("exesdb_node_load_average", "Node load average (NodeHealth.load_avg).", ["node"])
    static let nodeMemory = gauge(
        "exesdb_node_memory_usage_ratio", "Node memory usage (NodeHealth.memory_usage / 100).", ["node"],
        unit: "ratio")
    static let nodeDisk = gauge(
        "exesdb_node_disk_usage_ratio", "Node disk usage (NodeHealth.disk_usage / 100).", ["node"], unit: "ratio")
    static let nodeCheckPassing = gauge(
        "exesdb_node_health_check_passing", "1 when the node's named check passes, 0 when it fails.",
        ["node", "check"])
    static let clusterHealth = stateSet(
        "exesdb_cluster_health_status", "Cluster health as a node reports it (ClusterHealth.status).",
        ["reporter"], healthStates)
    static let clusterNodes = gauge(
        "exesdb_cluster_nodes", "Cluster nodes by health state, as a node reports them.", ["reporter", "state"])
    static let clusterQuorum = gauge(
        "exesdb_cluster_quorum_available", "1 when the reporting node sees quorum.", ["reporter"])
    static let componentHealth = stateSet(
        "exesdb_component_health_status", "Component health (ComponentHealth.status).", ["node", "component"],
        healthStates)
    static let checkStatus = stateSet(
        "exesdb_health_check_status", "Result of the last health check run.", ["node", "check"], checkResults)
    static let checkDuration = FamilyDescriptor(
        name: "exesdb_health_check_duration_seconds", help: "Health check durations.", type: .histogram,
        unit: "seconds", labelNames: ["node", "check"], buckets: FamilyDescriptor.defaultBuckets)
    static let lastReport = gauge(
        "exesdb_health_last_report_timestamp_seconds", "Timestamp of the last health report of each kind.",
        ["node", "kind"], unit: "seconds")
    static let alerts = counter("exesdb_alerts_total", "System alerts raised.", ["node", "severity", "category"])
    static let alertsActive = gauge(
        "exesdb_alerts_active", "Alerts that need an acknowledgement and have none yet.", ["severity", "category"])
    static let acks = counter("exesdb_alert_acks_total", "Alert acknowledgements.", [])
    static let escalations = counter(
        "exesdb_alert_escalations_total", "Alert escalations.", ["from_level", "to_level"])
    static let notifications = counter(
        "exesdb_alert_notifications_total", "Alert notification outcomes.", ["delivery_method", "status"])

    /// The ExESDB families, which expire with the TTL.
    static let exesdb: [FamilyDescriptor] = [
        performanceValue, performanceReports, performanceTag, operations, operationWindows, throughput, latencyReported,
        latency, latencySamples, resourceUsage, resourceCapacity, resourceUsed, thresholdViolations, thresholdValue,
        thresholdObserved, nodeHealth, nodeLoad, nodeMemory, nodeDisk, nodeCheckPassing, clusterHealth, clusterNodes,
        clusterQuorum, componentHealth, checkStatus, checkDuration, lastReport, alerts, alertsActive, acks, escalations,
        notifications,
    ]

    /// Every family, with the histogram buckets the config file overrides (`metrics.buckets`).
    public static func families(buckets: [String: [Double]] = [:]) -> [FamilyDescriptor] {
        (exesdb + buses).map { descriptor in
            guard descriptor.type == .histogram, let override = buckets[descriptor.name] else { return descriptor }
            var changed = descriptor
            changed.buckets = override
            return changed
        }
    }

    /// Registers every family. Fails only on bucket overrides that are not ascending and finite.
    public static func register(
        in store: MetricsStore, buckets: [String: [Double]] = [:]
    ) throws(FamilyRegistrationError) {
        for descriptor in families(buckets: buckets) { try store.register(descriptor) }
    }

    static func gauge(
        _ name: String, _ help: String, _ labels: [String], unit: String? = nil
    )
        -> FamilyDescriptor
    {
        FamilyDescriptor(name: name, help: help, type: .gauge, unit: unit, labelNames: labels)
    }

    static func counter(
        _ name: String, _ help: String, _ labels: [String], unit: String? = nil
    )
        -> FamilyDescriptor
    {
        FamilyDescriptor(name: name, help: help, type: .counter, unit: unit, labelNames: labels)
    }

    private static func stateSet(
        _ name: String, _ help: String, _ labels: [String], _ states: [String]
    )
        -> FamilyDescriptor
    {
        FamilyDescriptor(name: name, help: help, type: .stateset, labelNames: labels, states: states)
    }
}
