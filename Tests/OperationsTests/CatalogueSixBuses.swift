/// The families of the system, lifecycle, audit, diagnostics, security and logging buses
/// (README, "The other six buses"), as the dashboards and rules may use them.
extension Catalogue {
    static let sixBusHistograms: Set<String> = [
        "exesdb_audit_access_duration_seconds", "exesdb_debug_trace_duration_seconds",
        "exesdb_session_duration_seconds",
    ]

    static let sixBusFamilies: [String: Set<String>] = [
        "exesdb_node_info": ["node", "system", "version"],
        "exesdb_node_start_timestamp_seconds": ["node"],
        "exesdb_config_changes_total": ["node", "component"],
        "exesdb_feature_enabled": ["node", "feature"],
        "exesdb_lifecycle_events_total": ["node", "kind", "event"],
        "exesdb_process_restarts_total": ["node", "process"],
        "exesdb_process_crashes_total": ["node", "process"],
        "exesdb_cluster_membership_changes_total": ["node", "change"],
        "exesdb_cluster_membership_nodes": ["node", "state"],
        "exesdb_audit_events_total": ["node", "kind", "action"],
        "exesdb_audit_access_total": ["node", "resource_type", "result"],
        "exesdb_audit_access_duration_seconds": ["node"],
        "exesdb_debug_traces_total": ["node", "component"],
        "exesdb_debug_trace_duration_seconds": ["node", "component"],
        "exesdb_performance_analyses_total": ["node", "component", "analysis_type", "severity"],
        "exesdb_performance_analysis_finding": ["node", "component", "analysis_type", "finding"],
        "exesdb_system_state_snapshots_total": ["node", "snapshot_type"],
        "exesdb_system_state_processes": ["node"],
        "exesdb_system_state_memory_bytes": ["node"],
        "exesdb_error_analyses_total": ["node", "error_type"],
        "exesdb_error_frequency": ["node", "error_type"],
        "exesdb_auth_events_total": ["node", "event", "method"],
        "exesdb_access_violations_total": ["node", "violation", "severity"],
        "exesdb_security_alerts_total": ["node", "type", "severity"],
        "exesdb_sessions_total": ["node", "event"],
        "exesdb_session_duration_seconds": ["node"],
        "exesdb_log_entries_total": ["node", "level", "component"],
        "exesdb_log_events_total": ["node", "component", "event"],
        "exesdb_log_period_entries": ["node", "level"],
        "exesdb_log_period_errors_per_second": ["node"],
        "exesdb_log_filter_updates_total": ["node", "filter_type", "action"],
        "exesdb_log_rotations_total": ["node", "log_type"],
        "exesdb_log_rotated_bytes_total": ["node"],
    ]
}

extension EndToEndTests {
    /// The six other buses' families, as they appear in the 0.0.4 text.
    static let sixBusCatalogue = Catalogue.sixBusFamilies.keys.sorted()

    /// What the demo cannot give a sample, and why.
    static let sixBusFamiliesWithoutSamples = [
        "exesdb_log_events_total":
            "ExESDB's bare log_event is unsigned, and refused while a SECRET_KEY_BASE is set: the demo sends signed LogEntry structs only"
    ]
}
