/// What the `variants` rounds of pubsub_publisher give the six other buses' families: every
/// series of each, with its value (gater_fixture:bus_payloads/0; counters four per round).
extension BinaryEndToEndTests {
    static var sixBusSeries: [String: [([String: String], Double)]] {
        let (h1, h2, h3, sender) = (host1, host2, host3, Publisher.name)
        let n = 4 * rounds
        return [
            "exesdb_node_info": [(["node": h1, "system": "ex_esdb", "version": "0.11.0"], 1)],
            "exesdb_node_start_timestamp_seconds": [(["node": h1], fixtureTimestamp)],
            "exesdb_config_changes_total": [(["node": h1, "component": "store"], n)],
            "exesdb_feature_enabled": [(["node": h2, "feature": "snapshots"], 1)],
            "exesdb_lifecycle_events_total": [
                (["node": h1, "kind": "system", "event": "started"], n),
                (["node": h3, "kind": "node", "event": "joined"], n),
                (["node": h1, "kind": "process", "event": "restarted"], n),
                (["node": h1, "kind": "supervision", "event": "child_terminated"], n),
            ],
            "exesdb_process_restarts_total": [(["node": h1, "process": "ex_esdb_store_worker"], n)],
            "exesdb_process_crashes_total": [],
            "exesdb_cluster_membership_changes_total": [(["node": h1, "change": "node_added"], n)],
            "exesdb_cluster_membership_nodes": [
                (["node": h1, "state": "active"], 3), (["node": h1, "state": "total"], 3),
                (["node": sender, "state": "total"], 3),
            ],
            "exesdb_audit_events_total": [
                (["node": h1, "kind": "data_change", "action": "update"], n),
                (["node": h2, "kind": "admin_action", "action": "permissions_changed"], n),
                (["node": h1, "kind": "access", "action": "read"], n),
                (["node": h1, "kind": "compliance", "action": "data_retention"], n),
            ],
            "exesdb_audit_access_total": [(["node": h1, "resource_type": "stream", "result": "failure"], n)],
            "exesdb_audit_access_duration_seconds_count": [(["node": h1], n)],
            "exesdb_audit_access_duration_seconds_sum": [(["node": h1], 0.012 * n)],
            "exesdb_debug_traces_total": [(["node": h1, "component": "emitter_pool"], n)],
            "exesdb_debug_trace_duration_seconds_sum": [(["node": h1, "component": "emitter_pool"], 0.25 * n)],
            "exesdb_performance_analyses_total": [
                (["node": h2, "component": "persistence", "analysis_type": "bottleneck", "severity": "high"], n)
            ],
            "exesdb_performance_analysis_finding": [
                (["node": h2, "component": "persistence", "analysis_type": "bottleneck", "finding": "p99_ms"], 45.5),
                (
                    ["node": h2, "component": "persistence", "analysis_type": "bottleneck", "finding": "queue_depth"],
                    1200
                ),
            ],
            "exesdb_system_state_snapshots_total": [(["node": h1, "snapshot_type": "process_tree"], n)],
            "exesdb_system_state_processes": [(["node": h1], 1842)],
            "exesdb_system_state_memory_bytes": [(["node": h1], 268_435_456)],
            "exesdb_error_analyses_total": [(["node": h3, "error_type": "timeout"], n)],
            "exesdb_error_frequency": [(["node": h3, "error_type": "timeout"], 17)],
            "exesdb_auth_events_total": [(["node": h2, "event": "login_failure", "method": "password"], n)],
            "exesdb_access_violations_total": [
                (["node": sender, "violation": "permission_denied", "severity": "high"], n)
            ],
            "exesdb_security_alerts_total": [(["node": h2, "type": "brute_force", "severity": "critical"], n)],
            "exesdb_sessions_total": [(["node": h1, "event": "expired"], n)],
            "exesdb_session_duration_seconds_sum": [(["node": h1], 1800 * n)],
            "exesdb_log_entries_total": [
                (["node": h1, "level": "error", "component": "Elixir.ExESDB.StreamsWriter"], n)
            ],
            "exesdb_log_events_total": [],
            "exesdb_log_period_entries": [
                (["node": sender, "level": "error"], 7), (["node": sender, "level": "info"], 1200),
                (["node": sender, "level": "warn"], 40),
            ],
            "exesdb_log_period_errors_per_second": [(["node": sender], 0.5 / 60)],
            "exesdb_log_filter_updates_total": [(["node": sender, "filter_type": "level", "action": "exclude"], n)],
            "exesdb_log_rotations_total": [(["node": h3, "log_type": "audit"], n)],
            "exesdb_log_rotated_bytes_total": [(["node": h3], 10_485_760 * n)],
        ]
    }

    /// Labels that come from a wire enumeration, with their documented values.
    static let enumerations: [(String, String, Set<String>)] = [
        ("exesdb_auth_events_total", "event", ["login_success", "login_failure", "logout", "token_refresh"]),
        ("exesdb_auth_events_total", "method", ["password", "token", "certificate", "oauth"]),
        ("exesdb_security_alerts_total", "severity", ["low", "medium", "high", "critical"]),
        (
            "exesdb_security_alerts_total", "type",
            ["brute_force", "suspicious_activity", "policy_violation", "data_breach"]
        ),
        ("exesdb_access_violations_total", "severity", ["low", "medium", "high", "critical"]),
        ("exesdb_sessions_total", "event", ["created", "destroyed", "expired", "invalidated"]),
        ("exesdb_log_entries_total", "level", ["debug", "info", "warn", "error", "critical"]),
        (
            "exesdb_performance_analyses_total", "analysis_type",
            ["bottleneck", "memory_leak", "cpu_hotspot", "io_analysis"]
        ),
        ("exesdb_system_state_snapshots_total", "snapshot_type", ["full", "partial", "process_tree", "memory_dump"]),
        (
            "exesdb_cluster_membership_changes_total", "change",
            ["node_added", "node_removed", "partition_detected", "partition_healed"]
        ),
    ]
}
