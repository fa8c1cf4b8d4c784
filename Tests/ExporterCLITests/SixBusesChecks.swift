import BEAMPeers
import Foundation
import Testing

/// The families of the system, lifecycle, audit, diagnostics, security and logging buses as the
/// every-family test sees them through Prometheus, with gater_fixture:bus_payloads/0's values.
extension BinaryEndToEndTests {
    func expectSixBuses(_ checks: QueryExpectations) async {
        await expectSystemAndLifecycle(checks)
        await expectAuditAndDiagnostics(checks)
        await expectSecurityAndLogging(checks)
    }

    /// Each series selected by a selector of `selectors` (the family's name before each) grows by
    /// one per message: each a positive whole number.
    func expectCounted(_ checks: QueryExpectations, _ family: String, _ selectors: [String]) async {
        for selector in selectors { await checks.expect(family, selector, multipleOf: 1) }
    }

    func expectSystemAndLifecycle(_ checks: QueryExpectations) async {
        let host1 = #"node="\#(Self.host1)""#
        await checks.expect("exesdb_node_info", #"{\#(host1),system="ex_esdb",version="0.11.0"}"#, equals: 1)
        await checks.expect("exesdb_node_start_timestamp_seconds", "{\(host1)}", equals: Self.fixtureTimestamp)
        await checks.expect("exesdb_config_changes_total", #"{\#(host1),component="store"}"#, multipleOf: 1)
        await checks.expect(
            "exesdb_feature_enabled", #"{node="\#(Self.host2)",feature="snapshots"}"#, equals: 1)
        await expectCounted(
            checks, "exesdb_lifecycle_events_total",
            [
                #"{\#(host1),kind="system",event="started"}"#, #"{node="\#(Self.host3)",kind="node",event="joined"}"#,
                #"{\#(host1),kind="process",event="restarted"}"#,
                #"{\#(host1),kind="supervision",event="child_terminated"}"#,
            ])
        await checks.expect(
            "exesdb_process_restarts_total", #"{\#(host1),process="ex_esdb_store_worker"}"#, multipleOf: 1)
        // The fixture's process restarts; none crashes.
        await checks.expect(
            "exesdb_process_crashes_total", "sum(exesdb_process_crashes_total) or vector(0)",
            QueryExpectations.single(0))
        await checks.expect(
            "exesdb_cluster_membership_changes_total", #"{\#(host1),change="node_added"}"#, multipleOf: 1)
        await checks.expect("exesdb_cluster_membership_nodes", "{\(host1)}", by: "state", ["active": 3, "total": 3])
        // NodeLifecycle's cluster size, as the sending node saw it.
        await checks.expect(
            "exesdb_cluster_membership_nodes", #"{node="\#(Publisher.name)",state="total"}"#, equals: 3)
    }

    func expectAuditAndDiagnostics(_ checks: QueryExpectations) async {
        let host1 = #"node="\#(Self.host1)""#
        await expectCounted(
            checks, "exesdb_audit_events_total",
            [
                #"{\#(host1),kind="data_change",action="update"}"#,
                #"{node="\#(Self.host2)",kind="admin_action",action="permissions_changed"}"#,
                #"{\#(host1),kind="access",action="read"}"#, #"{\#(host1),kind="compliance",action="data_retention"}"#,
            ])
        await checks.expect(
            "exesdb_audit_access_total", #"{\#(host1),resource_type="stream",result="failure"}"#, multipleOf: 1)
        await expectMean(checks, "exesdb_audit_access_duration_seconds", "{\(host1)}", 0.012)
        let trace = #"{\#(host1),component="emitter_pool"}"#
        await checks.expect("exesdb_debug_traces_total", trace, multipleOf: 1)
        await expectMean(checks, "exesdb_debug_trace_duration_seconds", trace, 0.25)
        let analysis = #"node="\#(Self.host2)",component="persistence",analysis_type="bottleneck""#
        await checks.expect("exesdb_performance_analyses_total", #"{\#(analysis),severity="high"}"#, multipleOf: 1)
        // hot_stream is text: no finding.
        await checks.expect(
            "exesdb_performance_analysis_finding", "{\(analysis)}", by: "finding",
            ["p99_ms": 45.5, "queue_depth": 1200])
        await checks.expect(
            "exesdb_system_state_snapshots_total", #"{\#(host1),snapshot_type="process_tree"}"#, multipleOf: 1)
        await checks.expect("exesdb_system_state_processes", "{\(host1)}", equals: 1842)
        await checks.expect("exesdb_system_state_memory_bytes", "{\(host1)}", equals: 268_435_456)
        let error = #"{node="\#(Self.host3)",error_type="timeout"}"#
        await checks.expect("exesdb_error_analyses_total", error, multipleOf: 1)
        await checks.expect("exesdb_error_frequency", error, equals: 17)
    }

    func expectSecurityAndLogging(_ checks: QueryExpectations) async {
        let host1 = #"node="\#(Self.host1)""#
        let host2 = #"node="\#(Self.host2)""#
        let sender = #"node="\#(Publisher.name)""#
        await checks.expect(
            "exesdb_auth_events_total", #"{\#(host2),event="login_failure",method="password"}"#, multipleOf: 1)
        // AccessViolation names no node: the sender's.
        await checks.expect(
            "exesdb_access_violations_total", #"{\#(sender),violation="permission_denied",severity="high"}"#,
            multipleOf: 1)
        await checks.expect(
            "exesdb_security_alerts_total", #"{\#(host2),type="brute_force",severity="critical"}"#, multipleOf: 1)
        await checks.expect("exesdb_sessions_total", #"{\#(host1),event="expired"}"#, multipleOf: 1)
        await expectMean(checks, "exesdb_session_duration_seconds", "{\(host1)}", 1800)
        await checks.expect(
            "exesdb_log_entries_total", #"{\#(host1),level="error",component="Elixir.ExESDB.StreamsWriter"}"#,
            multipleOf: 1)
        // ExESDB's bare log_event is unsigned: refused while a secret is set (the fixture sends none).
        await checks.expect(
            "exesdb_log_events_total", "sum(exesdb_log_events_total) or vector(0)", QueryExpectations.single(0))
        await checks.expect(
            "exesdb_log_period_entries", "{\(sender)}", by: "level", ["error": 7, "info": 1200, "warn": 40])
        await checks.expect("exesdb_log_period_errors_per_second", "{\(sender)}", equals: 0.5 / 60)
        await checks.expect(
            "exesdb_log_filter_updates_total", #"{\#(sender),filter_type="level",action="exclude"}"#, multipleOf: 1)
        let rotation = #"node="\#(Self.host3)""#
        await checks.expect("exesdb_log_rotations_total", #"{\#(rotation),log_type="audit"}"#, multipleOf: 1)
        await checks.expect("exesdb_log_rotated_bytes_total", "{\(rotation)}", multipleOf: 10_485_760)
    }

    /// A histogram whose every observation is `value`: its sum over its count.
    func expectMean(_ checks: QueryExpectations, _ family: String, _ selector: String, _ value: Double) async {
        await checks.expect(
            family, "\(family)_sum\(selector) / \(family)_count\(selector)", QueryExpectations.single(value))
    }
}
