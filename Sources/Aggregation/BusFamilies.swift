import MetricsStore

/// Typed handles on the families of the system, lifecycle, audit, diagnostics, security and
/// logging buses, resolved once from the store.
struct BusFamilies: Sendable {
    let nodeInfo: InfoFamily
    let nodeStart: GaugeFamily
    let configChanges: CounterFamily
    let featureEnabled: GaugeFamily
    let lifecycleEvents: CounterFamily
    let processRestarts: CounterFamily
    let processCrashes: CounterFamily
    let membershipChanges: CounterFamily
    let membershipNodes: GaugeFamily
    let auditEvents: CounterFamily
    let auditAccess: CounterFamily
    let auditAccessDuration: HistogramFamily
    let debugTraces: CounterFamily
    let debugTraceDuration: HistogramFamily
    let analyses: CounterFamily
    let analysisFinding: GaugeFamily
    let snapshots: CounterFamily
    let stateProcesses: GaugeFamily
    let stateMemory: GaugeFamily
    let errorAnalyses: CounterFamily
    let errorFrequency: GaugeFamily
    let authEvents: CounterFamily
    let accessViolations: CounterFamily
    let securityAlerts: CounterFamily
    let sessions: CounterFamily
    let sessionDuration: HistogramFamily
    let logEntries: CounterFamily
    let logEvents: CounterFamily
    let summaryEntries: GaugeFamily
    let summaryErrorRate: GaugeFamily
    let filterUpdates: CounterFamily
    let rotations: CounterFamily
    let rotatedBytes: CounterFamily
    let store: MetricsStore

    /// The families whose series outlive the TTL, by the label that names their node.
    static let lasting = ["exesdb_node_info", "exesdb_node_start_timestamp_seconds", "exesdb_feature_enabled"]

    init(store: MetricsStore) throws {
        func find<Family>(_ name: String, _ make: (MetricFamily?) -> Family?) throws -> Family {
            guard let family = make(store.family(named: name)) else { throw ExESDBFamilies.Missing(name: name) }
            return family
        }
        nodeInfo = try find("exesdb_node_info", InfoFamily.init)
        nodeStart = try find("exesdb_node_start_timestamp_seconds", GaugeFamily.init)
        configChanges = try find("exesdb_config_changes_total", CounterFamily.init)
        featureEnabled = try find("exesdb_feature_enabled", GaugeFamily.init)
        lifecycleEvents = try find("exesdb_lifecycle_events_total", CounterFamily.init)
        processRestarts = try find("exesdb_process_restarts_total", CounterFamily.init)
        processCrashes = try find("exesdb_process_crashes_total", CounterFamily.init)
        membershipChanges = try find("exesdb_cluster_membership_changes_total", CounterFamily.init)
        membershipNodes = try find("exesdb_cluster_membership_nodes", GaugeFamily.init)
        auditEvents = try find("exesdb_audit_events_total", CounterFamily.init)
        auditAccess = try find("exesdb_audit_access_total", CounterFamily.init)
        auditAccessDuration = try find("exesdb_audit_access_duration_seconds", HistogramFamily.init)
        debugTraces = try find("exesdb_debug_traces_total", CounterFamily.init)
        debugTraceDuration = try find("exesdb_debug_trace_duration_seconds", HistogramFamily.init)
        analyses = try find("exesdb_performance_analyses_total", CounterFamily.init)
        analysisFinding = try find("exesdb_performance_analysis_finding", GaugeFamily.init)
        snapshots = try find("exesdb_system_state_snapshots_total", CounterFamily.init)
        stateProcesses = try find("exesdb_system_state_processes", GaugeFamily.init)
        stateMemory = try find("exesdb_system_state_memory_bytes", GaugeFamily.init)
        errorAnalyses = try find("exesdb_error_analyses_total", CounterFamily.init)
        errorFrequency = try find("exesdb_error_frequency", GaugeFamily.init)
        authEvents = try find("exesdb_auth_events_total", CounterFamily.init)
        accessViolations = try find("exesdb_access_violations_total", CounterFamily.init)
        securityAlerts = try find("exesdb_security_alerts_total", CounterFamily.init)
        sessions = try find("exesdb_sessions_total", CounterFamily.init)
        sessionDuration = try find("exesdb_session_duration_seconds", HistogramFamily.init)
        logEntries = try find("exesdb_log_entries_total", CounterFamily.init)
        logEvents = try find("exesdb_log_events_total", CounterFamily.init)
        summaryEntries = try find("exesdb_log_period_entries", GaugeFamily.init)
        summaryErrorRate = try find("exesdb_log_period_errors_per_second", GaugeFamily.init)
        filterUpdates = try find("exesdb_log_filter_updates_total", CounterFamily.init)
        rotations = try find("exesdb_log_rotations_total", CounterFamily.init)
        rotatedBytes = try find("exesdb_log_rotated_bytes_total", CounterFamily.init)
        self.store = store
    }

    /// Removes the node's series that outlive the TTL.
    func removeLasting(node: String) {
        for family in Self.lasting { store.removeSeries(family: family, label: "node", value: node) }
    }
}
