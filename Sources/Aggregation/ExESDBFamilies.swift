import MetricsStore

/// Typed handles on the catalogue's ExESDB families, resolved once from the store.
struct ExESDBFamilies: Sendable {
    let performanceValue: GaugeFamily
    let performanceReports: CounterFamily
    let performanceTag: GaugeFamily
    let operations: CounterFamily
    let operationWindows: CounterFamily
    let throughput: GaugeFamily
    let latencyReported: GaugeFamily
    let latency: HistogramFamily
    let latencySamples: CounterFamily
    let resourceUsage: GaugeFamily
    let resourceCapacity: GaugeFamily
    let resourceUsed: GaugeFamily
    let thresholdViolations: CounterFamily
    let thresholdValue: GaugeFamily
    let thresholdObserved: GaugeFamily
    let nodeHealth: StateSetFamily
    let nodeLoad: GaugeFamily
    let nodeMemory: GaugeFamily
    let nodeDisk: GaugeFamily
    let nodeCheckPassing: GaugeFamily
    let clusterHealth: StateSetFamily
    let clusterNodes: GaugeFamily
    let clusterQuorum: GaugeFamily
    let componentHealth: StateSetFamily
    let checkStatus: StateSetFamily
    let checkDuration: HistogramFamily
    let lastReport: GaugeFamily
    let alerts: CounterFamily
    let alertsActive: GaugeFamily
    let acks: CounterFamily
    let escalations: CounterFamily
    let notifications: CounterFamily
    private let store: MetricsStore

    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "the catalogue family \(name) is not registered in the store" }
    }

    init(store: MetricsStore) throws {
        func find<Family>(_ name: String, _ make: (MetricFamily?) -> Family?) throws -> Family {
            guard let family = make(store.family(named: name)) else { throw Missing(name: name) }
            return family
        }
        performanceValue = try find("exesdb_performance_value", GaugeFamily.init)
        performanceReports = try find("exesdb_performance_reports_total", CounterFamily.init)
        performanceTag = try find("exesdb_performance_tag_value", GaugeFamily.init)
        operations = try find("exesdb_operations_total", CounterFamily.init)
        operationWindows = try find("exesdb_operations_window_seconds_total", CounterFamily.init)
        throughput = try find("exesdb_throughput_ops_per_second", GaugeFamily.init)
        latencyReported = try find("exesdb_latency_reported_seconds", GaugeFamily.init)
        latency = try find("exesdb_latency_seconds", HistogramFamily.init)
        latencySamples = try find("exesdb_latency_samples_total", CounterFamily.init)
        resourceUsage = try find("exesdb_resource_usage_ratio", GaugeFamily.init)
        resourceCapacity = try find("exesdb_resource_capacity", GaugeFamily.init)
        resourceUsed = try find("exesdb_resource_used", GaugeFamily.init)
        thresholdViolations = try find("exesdb_metric_threshold_violations_total", CounterFamily.init)
        thresholdValue = try find("exesdb_metric_threshold_value", GaugeFamily.init)
        thresholdObserved = try find("exesdb_metric_threshold_observed_value", GaugeFamily.init)
        nodeHealth = try find("exesdb_node_health_status", StateSetFamily.init)
        nodeLoad = try find("exesdb_node_load_average", GaugeFamily.init)
        nodeMemory = try find("exesdb_node_memory_usage_ratio", GaugeFamily.init)
        nodeDisk = try find("exesdb_node_disk_usage_ratio", GaugeFamily.init)
        nodeCheckPassing = try find("exesdb_node_health_check_passing", GaugeFamily.init)
        clusterHealth = try find("exesdb_cluster_health_status", StateSetFamily.init)
        clusterNodes = try find("exesdb_cluster_nodes", GaugeFamily.init)
        clusterQuorum = try find("exesdb_cluster_quorum_available", GaugeFamily.init)
        componentHealth = try find("exesdb_component_health_status", StateSetFamily.init)
        checkStatus = try find("exesdb_health_check_status", StateSetFamily.init)
        checkDuration = try find("exesdb_health_check_duration_seconds", HistogramFamily.init)
        lastReport = try find("exesdb_health_last_report_timestamp_seconds", GaugeFamily.init)
        alerts = try find("exesdb_alerts_total", CounterFamily.init)
        alertsActive = try find("exesdb_alerts_active", GaugeFamily.init)
        acks = try find("exesdb_alert_acks_total", CounterFamily.init)
        escalations = try find("exesdb_alert_escalations_total", CounterFamily.init)
        notifications = try find("exesdb_alert_notifications_total", CounterFamily.init)
        self.store = store
    }

    /// Label values hashed once, for the families of one message that share them.
    func key(_ values: [String]) -> SeriesKey { SeriesKey(values, in: store) }
}
