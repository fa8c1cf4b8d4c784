import MetricsStore

/// The families of the system, lifecycle, audit, diagnostics, security and logging buses
/// (docs/metrics.md), each a static let that `BusFamilies` finds. Labels are bounded: wire enumerations read as their documented values
/// or `other`, names (components, processes, features...) as observed while fewer than a cap are
/// live, then `other`; ids, IP addresses, user agents and free text are never labels.
extension AggregationFamilies {
    /// Session lengths run from seconds to a working day.
    static let sessionBuckets: [Double] = [1, 10, 30, 60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400]

    static let buses: [FamilyDescriptor] = system + lifecycle + audit + diagnostics + security + logging

    static let nodeInfo = lasting(
        FamilyDescriptor(
            name: "exesdb_node_info", help: "The system and version each running node reported (SystemLifecycle).",
            type: .info, labelNames: ["node", "system", "version"]))
    static let nodeStart = lasting(
        gauge(
            "exesdb_node_start_timestamp_seconds", "When the node reported it had started (SystemLifecycle).",
            ["node"], unit: "seconds"))
    static let configChanges = counter(
        "exesdb_config_changes_total", "Configuration changes (SystemConfig).", ["node", "component"])
    static let featureEnabled = lasting(
        gauge(
            "exesdb_feature_enabled", "1 when the feature was last toggled on (FeatureToggle).",
            ["node", "feature"]))

    /// A node's version and start survive the TTL (they are sent once, at start): they go when the
    /// node reports `stopped`, reports another version, or is no longer followed.
    static let system: [FamilyDescriptor] = [
        nodeInfo, nodeStart, configChanges, featureEnabled,
    ]

    static let lifecycleEvents = counter(
        "exesdb_lifecycle_events_total",
        "System, node, process and supervision lifecycle events (kind: system, node, process, supervision).",
        ["node", "kind", "event"])
    static let processRestarts = counter(
        "exesdb_process_restarts_total", "Process restarts (ProcessLifecycle restarted).", ["node", "process"])
    static let processCrashes = counter(
        "exesdb_process_crashes_total", "Process crashes (ProcessLifecycle crashed).", ["node", "process"])
    static let membershipChanges = counter(
        "exesdb_cluster_membership_changes_total", "Cluster membership changes as a node saw them.",
        ["node", "change"])
    static let membershipNodes = gauge(
        "exesdb_cluster_membership_nodes", "Active and total cluster nodes as a node last reported them.",
        ["node", "state"])

    static let lifecycle: [FamilyDescriptor] = [
        lifecycleEvents, processRestarts, processCrashes, membershipChanges, membershipNodes,
    ]

    static let auditEvents = counter(
        "exesdb_audit_events_total",
        "Audit records (kind: data_change, admin_action, access, compliance) by action.",
        ["node", "kind", "action"])
    static let auditAccess = counter(
        "exesdb_audit_access_total", "Resource accesses (AccessLog) by outcome.",
        ["node", "resource_type", "result"]
    )
    static let auditAccessDuration = histogram(
        "exesdb_audit_access_duration_seconds", "Durations of audited accesses (AccessLog).", ["node"])

    static let audit: [FamilyDescriptor] = [
        auditEvents, auditAccess, auditAccessDuration,
    ]

    static let debugTraces = counter("exesdb_debug_traces_total", "Debug traces (DebugTrace).", ["node", "component"])
    static let debugTraceDuration = histogram(
        "exesdb_debug_trace_duration_seconds", "Durations of traced operations.", ["node", "component"])
    static let analyses = counter(
        "exesdb_performance_analyses_total", "Performance analyses (PerformanceAnalysis).",
        ["node", "component", "analysis_type", "severity"])
    static let analysisFinding = gauge(
        "exesdb_performance_analysis_finding", "Numeric findings of the last performance analysis.",
        ["node", "component", "analysis_type", "finding"])
    static let snapshots = counter(
        "exesdb_system_state_snapshots_total", "System state snapshots (SystemState).", ["node", "snapshot_type"])
    static let stateProcesses = gauge(
        "exesdb_system_state_processes", "Process count of the last system state snapshot.", ["node"])
    static let stateMemory = gauge(
        "exesdb_system_state_memory_bytes", "Memory usage of the last system state snapshot.", ["node"],
        unit: "bytes")
    static let errorAnalyses = counter(
        "exesdb_error_analyses_total", "Error analyses (ErrorAnalysis).", ["node", "error_type"])
    static let errorFrequency = gauge(
        "exesdb_error_frequency", "How often the error occurs, as its last analysis says.", ["node", "error_type"])

    static let diagnostics: [FamilyDescriptor] = [
        debugTraces, debugTraceDuration, analyses, analysisFinding, snapshots, stateProcesses, stateMemory,
        errorAnalyses, errorFrequency,
    ]

    static let authEvents = counter(
        "exesdb_auth_events_total", "Authentication events (AuthEvent).", ["node", "event", "method"])
    static let accessViolations = counter(
        "exesdb_access_violations_total", "Access violations (AccessViolation).", ["node", "violation", "severity"]
    )
    static let securityAlerts = counter(
        "exesdb_security_alerts_total", "Security alerts (SecurityAlert).", ["node", "type", "severity"])
    static let sessions = counter("exesdb_sessions_total", "Session events (SessionEvent).", ["node", "event"])
    static let sessionDuration = FamilyDescriptor(
        name: "exesdb_session_duration_seconds", help: "Lengths of the sessions that ended (SessionEvent).",
        type: .histogram, unit: "seconds", labelNames: ["node"], buckets: sessionBuckets)

    static let security: [FamilyDescriptor] = [
        authEvents, accessViolations, securityAlerts, sessions, sessionDuration,
    ]

    static let logEntries = counter(
        "exesdb_log_entries_total", "Log entries (LogEntry).", ["node", "level", "component"])
    static let logEvents = counter(
        "exesdb_log_events_total", "Log events of ExESDB's logging publisher (log_event, unsigned).",
        ["node", "component", "event"])
    static let summaryEntries = gauge(
        "exesdb_log_period_entries",
        "Log entries by level in the period of the last log summary (LogSummary.log_counts).", ["node", "level"])
    static let summaryErrorRate = gauge(
        "exesdb_log_period_errors_per_second",
        "Error rate of the period of the last log summary (LogSummary.error_rate / 60).", ["node"])
    static let filterUpdates = counter(
        "exesdb_log_filter_updates_total", "Log filter updates (LogFilter).", ["node", "filter_type", "action"])
    static let rotations = counter("exesdb_log_rotations_total", "Log rotations (LogRotation).", ["node", "log_type"])
    static let rotatedBytes = counter(
        "exesdb_log_rotated_bytes_total", "Bytes of the log files rotated (LogRotation.file_size, summed).",
        ["node"], unit: "bytes")

    static let logging: [FamilyDescriptor] = [
        logEntries, logEvents, summaryEntries, summaryErrorRate, filterUpdates, rotations, rotatedBytes,
    ]

    private static func lasting(_ descriptor: FamilyDescriptor) -> FamilyDescriptor {
        var descriptor = descriptor
        descriptor.expires = false
        return descriptor
    }

    private static func histogram(_ name: String, _ help: String, _ labels: [String]) -> FamilyDescriptor {
        FamilyDescriptor(
            name: name, help: help, type: .histogram, unit: "seconds", labelNames: labels,
            buckets: FamilyDescriptor.defaultBuckets)
    }
}
