import Logging
import MetricsStore
import Testing

@testable import Aggregation
@testable import GaterMessages

/// The system, lifecycle, audit, diagnostics, security and logging buses land in their families
/// with exact values, and every label stays bounded whatever the wire says.
@Suite struct BusAggregationTests {
    let store = MetricsStore()
    let aggregator: Aggregator

    init() throws {
        try AggregationFamilies.register(in: store)
        aggregator = try Aggregator(store: store, alertTTL: .seconds(300), logger: Logger(label: "test"))
    }

    func receive(_ message: GaterMessage, peer: String = "ex_esdb@a", topic: String = "t", at: Double = 1_700_000_100) {
        aggregator.record(ReceivedMessage(peer: peer, bus: "b", topic: topic, message: message, receivedAt: at))
    }

    func lines(_ family: String) -> [String] { AggregatorTests.lines(family, in: store) }

    func lifecycle(_ event: String, version: String? = "0.11.0", node: String = "ex_esdb@a") -> GaterMessage {
        .systemLifecycle(
            SystemLifecycle(event: event, systemName: "ex_esdb", version: version, node: node, timestamp: 1_700_000_000)
        )
    }

    @Test func aNodesVersionAndStartLastUntilItStopsOrChangesVersion() {
        receive(lifecycle("starting"))
        receive(lifecycle("started"))
        #expect(
            lines("exesdb_node_info") == [#"exesdb_node_info{node="ex_esdb@a",system="ex_esdb",version="0.11.0"} 1"#])
        #expect(
            lines("exesdb_node_start_timestamp_seconds") == [
                #"exesdb_node_start_timestamp_seconds{node="ex_esdb@a"} 1700000000"#
            ])
        receive(lifecycle("started", version: "0.12.0"))
        #expect(
            lines("exesdb_node_info") == [#"exesdb_node_info{node="ex_esdb@a",system="ex_esdb",version="0.12.0"} 1"#],
            "the old version's series goes")
        receive(lifecycle("stopping", version: "0.12.0"))
        receive(lifecycle("stopped", version: "0.12.0"))
        #expect(lines("exesdb_node_info").isEmpty && lines("exesdb_node_start_timestamp_seconds").isEmpty)
        #expect(
            Set(lines("exesdb_lifecycle_events_total")) == [
                #"exesdb_lifecycle_events_total{node="ex_esdb@a",kind="system",event="starting"} 1"#,
                #"exesdb_lifecycle_events_total{node="ex_esdb@a",kind="system",event="started"} 2"#,
                #"exesdb_lifecycle_events_total{node="ex_esdb@a",kind="system",event="stopping"} 1"#,
                #"exesdb_lifecycle_events_total{node="ex_esdb@a",kind="system",event="stopped"} 1"#,
            ])
        #expect(store.family(named: "exesdb_node_info")?.descriptor.expires == false)
    }

    @Test func aNodeNoLongerFollowedLosesItsLastingSeries() {
        receive(lifecycle("started"))
        receive(.featureToggle(FeatureToggle(feature: "snapshots", enabled: false, node: "ex_esdb@a", timestamp: nil)))
        receive(lifecycle("started", node: "ex_esdb@b"))
        #expect(lines("exesdb_feature_enabled") == [#"exesdb_feature_enabled{node="ex_esdb@a",feature="snapshots"} 0"#])
        aggregator.forget(node: "ex_esdb@a")
        #expect(lines("exesdb_node_info").count == 1 && lines("exesdb_node_info")[0].contains("ex_esdb@b"))
        #expect(lines("exesdb_feature_enabled").isEmpty && lines("exesdb_node_start_timestamp_seconds").count == 1)
    }

    /// Made-up node names cannot pile up series that never expire: past 1024 nodes the one heard
    /// from least recently gives its up.
    @Test func lastingSeriesAreBoundedByNode() {
        for index in 0..<1100 { receive(lifecycle("started", node: "n\(index)"), at: 1_700_000_000 + Double(index)) }
        #expect(lines("exesdb_node_info").count == 1024)
        #expect(!lines("exesdb_node_info").contains { $0.contains(#"node="n0""#) })
        #expect(lines("exesdb_node_info").contains { $0.contains(#"node="n1099""#) })
    }

    @Test func lifecycleEventsRestartsCrashesAndMembership() {
        let process = { (event: String, name: String?) in
            GaterMessage.processLifecycle(
                ProcessLifecycle(
                    name: name, pidName: nil, module: "unknown", event: event, node: "ex_esdb@a", restartCount: 1,
                    timestamp: nil))
        }
        receive(process("restarted", "store_worker"))
        receive(process("restarted", "store_worker"))
        receive(process("crashed", nil))
        receive(process("store_started", nil))
        receive(.nodeLifecycle(NodeLifecycle(node: "ex_esdb@c", event: "vanished", clusterSize: 2, timestamp: nil)))
        receive(.supervision(SupervisionEvent(event: "child_started", node: "ex_esdb@a", timestamp: nil)))
        receive(
            .clusterMembership(
                ClusterMembership(
                    event: "partition_detected", affectedNodes: 1, activeNodes: 2, totalNodes: 3, quorumStatus: "lost",
                    node: "ex_esdb@b", timestamp: nil)))
        #expect(
            lines("exesdb_process_restarts_total") == [
                #"exesdb_process_restarts_total{node="ex_esdb@a",process="store_worker"} 2"#
            ])
        #expect(
            lines("exesdb_process_crashes_total") == [
                #"exesdb_process_crashes_total{node="ex_esdb@a",process="other"} 1"#
            ])
        #expect(
            Set(lines("exesdb_lifecycle_events_total")) == [
                #"exesdb_lifecycle_events_total{node="ex_esdb@a",kind="process",event="restarted"} 2"#,
                #"exesdb_lifecycle_events_total{node="ex_esdb@a",kind="process",event="crashed"} 1"#,
                #"exesdb_lifecycle_events_total{node="ex_esdb@a",kind="process",event="store_started"} 1"#,
                #"exesdb_lifecycle_events_total{node="ex_esdb@c",kind="node",event="other"} 1"#,
                #"exesdb_lifecycle_events_total{node="ex_esdb@a",kind="supervision",event="child_started"} 1"#,
            ])
        #expect(
            lines("exesdb_cluster_membership_changes_total") == [
                #"exesdb_cluster_membership_changes_total{node="ex_esdb@b",change="partition_detected"} 1"#
            ])
        #expect(
            Set(lines("exesdb_cluster_membership_nodes")) == [
                #"exesdb_cluster_membership_nodes{node="ex_esdb@a",state="total"} 2"#,
                #"exesdb_cluster_membership_nodes{node="ex_esdb@b",state="active"} 2"#,
                #"exesdb_cluster_membership_nodes{node="ex_esdb@b",state="total"} 3"#,
            ])
        #expect(
            lines("exesdb_cluster_quorum_available") == [#"exesdb_cluster_quorum_available{reporter="ex_esdb@b"} 0"#])
    }

    @Test func auditRecords() {
        receive(.dataChange(DataChange(resourceType: "stream", action: "update", node: "ex_esdb@a", timestamp: nil)))
        receive(.dataChange(DataChange(resourceType: nil, action: nil, node: "ex_esdb@a", timestamp: nil)))
        receive(.adminAction(AdminAction(actionType: "user_created", node: "ex_esdb@a", timestamp: nil)))
        receive(
            .accessLog(
                AccessLog(
                    resourceType: "stream", action: "read", success: false, durationMilliseconds: 12, node: "ex_esdb@a",
                    timestamp: nil)))
        receive(.complianceEvent(ComplianceEvent(eventType: "gdpr", automated: nil, node: "ex_esdb@a", timestamp: nil)))
        #expect(
            Set(lines("exesdb_audit_events_total")) == [
                #"exesdb_audit_events_total{node="ex_esdb@a",kind="data_change",action="update"} 1"#,
                #"exesdb_audit_events_total{node="ex_esdb@a",kind="data_change",action="other"} 1"#,
                #"exesdb_audit_events_total{node="ex_esdb@a",kind="admin_action",action="user_created"} 1"#,
                #"exesdb_audit_events_total{node="ex_esdb@a",kind="access",action="read"} 1"#,
                #"exesdb_audit_events_total{node="ex_esdb@a",kind="compliance",action="other"} 1"#,
            ])
        #expect(
            lines("exesdb_audit_access_total") == [
                #"exesdb_audit_access_total{node="ex_esdb@a",resource_type="stream",result="failure"} 1"#
            ])
        #expect(
            lines("exesdb_audit_access_duration_seconds_sum") == [
                #"exesdb_audit_access_duration_seconds_sum{node="ex_esdb@a"} 0.012"#
            ])
    }

    @Test func diagnostics() {
        receive(
            .debugTrace(
                DebugTrace(component: "emitter_pool", durationMilliseconds: 250, node: "ex_esdb@a", timestamp: nil)))
        receive(
            .performanceAnalysis(
                PerformanceAnalysis(
                    component: "persistence", analysisType: "memory_leak", severity: "severe",
                    findings: [NumericTag(name: "heap_mb", value: 512)], node: "ex_esdb@a", timestamp: nil)))
        receive(
            .systemState(
                SystemState(
                    snapshotType: "full", processCount: 1842, memoryBytes: 2.5e8, node: "ex_esdb@a", timestamp: nil)))
        receive(.errorAnalysis(ErrorAnalysis(errorType: "timeout", frequency: 17, node: "ex_esdb@a", timestamp: nil)))
        #expect(
            lines("exesdb_debug_traces_total") == [
                #"exesdb_debug_traces_total{node="ex_esdb@a",component="emitter_pool"} 1"#
            ])
        #expect(
            lines("exesdb_debug_trace_duration_seconds_sum") == [
                #"exesdb_debug_trace_duration_seconds_sum{node="ex_esdb@a",component="emitter_pool"} 0.25"#
            ])
        #expect(
            lines("exesdb_performance_analyses_total") == [
                #"exesdb_performance_analyses_total{node="ex_esdb@a",component="persistence",analysis_type="memory_leak",severity="other"} 1"#
            ])
        #expect(
            lines("exesdb_performance_analysis_finding") == [
                #"exesdb_performance_analysis_finding{node="ex_esdb@a",component="persistence",analysis_type="memory_leak",finding="heap_mb"} 512"#
            ])
        #expect(
            lines("exesdb_system_state_snapshots_total") == [
                #"exesdb_system_state_snapshots_total{node="ex_esdb@a",snapshot_type="full"} 1"#
            ])
        #expect(lines("exesdb_system_state_processes") == [#"exesdb_system_state_processes{node="ex_esdb@a"} 1842"#])
        #expect(
            lines("exesdb_system_state_memory_bytes") == [
                #"exesdb_system_state_memory_bytes{node="ex_esdb@a"} 250000000"#
            ])
        #expect(
            lines("exesdb_error_analyses_total") == [
                #"exesdb_error_analyses_total{node="ex_esdb@a",error_type="timeout"} 1"#
            ])
        #expect(
            lines("exesdb_error_frequency") == [#"exesdb_error_frequency{node="ex_esdb@a",error_type="timeout"} 17"#])
    }

    @Test func securityEvents() {
        receive(
            .authEvent(AuthEvent(eventType: "login_failure", method: "password", node: "ex_esdb@a", timestamp: nil)))
        receive(.authEvent(AuthEvent(eventType: "mfa_challenge", method: nil, node: "ex_esdb@a", timestamp: nil)))
        receive(
            .accessViolation(
                AccessViolation(
                    violationType: "permission_denied", severity: "critical", node: "ex_esdb@a", timestamp: nil)))
        receive(
            .securityAlert(
                SecurityAlert(
                    alertType: "brute_force", severity: "high", description: "d", affectedUsers: 3, node: "ex_esdb@a",
                    timestamp: nil)))
        receive(
            .sessionEvent(
                SessionEvent(eventType: "created", durationMilliseconds: nil, node: "ex_esdb@a", timestamp: nil)))
        receive(
            .sessionEvent(
                SessionEvent(eventType: "expired", durationMilliseconds: 1_800_000, node: "ex_esdb@a", timestamp: nil)))
        #expect(
            Set(lines("exesdb_auth_events_total")) == [
                #"exesdb_auth_events_total{node="ex_esdb@a",event="login_failure",method="password"} 1"#,
                #"exesdb_auth_events_total{node="ex_esdb@a",event="other",method="other"} 1"#,
            ])
        #expect(
            lines("exesdb_access_violations_total") == [
                #"exesdb_access_violations_total{node="ex_esdb@a",violation="permission_denied",severity="critical"} 1"#
            ])
        #expect(
            lines("exesdb_security_alerts_total") == [
                #"exesdb_security_alerts_total{node="ex_esdb@a",type="brute_force",severity="high"} 1"#
            ])
        #expect(
            Set(lines("exesdb_sessions_total")) == [
                #"exesdb_sessions_total{node="ex_esdb@a",event="created"} 1"#,
                #"exesdb_sessions_total{node="ex_esdb@a",event="expired"} 1"#,
            ])
        #expect(
            lines("exesdb_session_duration_seconds_sum") == [
                #"exesdb_session_duration_seconds_sum{node="ex_esdb@a"} 1800"#
            ])
        #expect(
            lines("exesdb_session_duration_seconds_bucket").contains(
                #"exesdb_session_duration_seconds_bucket{node="ex_esdb@a",le="1800"} 1"#))
    }

    @Test func logging() {
        receive(.logEntry(LogEntry(level: "warning", module: "Elixir.ExESDB.Store", node: "ex_esdb@a", timestamp: nil)))
        receive(.logEntry(LogEntry(level: "verbose", module: nil, node: "ex_esdb@a", timestamp: nil)))
        let event = GaterMessage.logEvent(
            LogEvent(component: "emitter_pool", eventType: "error", node: "ex_esdb@a", timestamp: nil))
        receive(event, topic: "logging:emitter_pool")
        receive(event, topic: "logging:store:main_store")
        receive(
            .logSummary(
                LogSummary(
                    levelCounts: [
                        NumericTag(name: "error", value: 7), NumericTag(name: "notice", value: 3),
                        NumericTag(name: "trace", value: 2),
                    ], errorsPerMinute: 3, totalLogs: 12, node: "ex_esdb@a", timestamp: nil)))
        receive(
            .logFilter(
                LogFilter(filterType: "module", action: "rate_limit", enabled: true, node: "ex_esdb@a", timestamp: nil))
        )
        receive(
            .logRotation(LogRotation(logType: "audit", fileBytes: 1024, entries: 10, node: "ex_esdb@a", timestamp: nil))
        )
        receive(
            .logRotation(LogRotation(logType: "audit", fileBytes: 2048, entries: 10, node: "ex_esdb@a", timestamp: nil))
        )
        #expect(
            Set(lines("exesdb_log_entries_total")) == [
                #"exesdb_log_entries_total{node="ex_esdb@a",level="warn",component="Elixir.ExESDB.Store"} 1"#,
                #"exesdb_log_entries_total{node="ex_esdb@a",level="other",component="other"} 1"#,
            ])
        #expect(
            lines("exesdb_log_events_total") == [
                #"exesdb_log_events_total{node="ex_esdb@a",component="emitter_pool",event="error"} 1"#
            ], "the store topic's copy is not counted again")
        #expect(
            Set(lines("exesdb_log_period_entries")) == [
                #"exesdb_log_period_entries{node="ex_esdb@a",level="error"} 7"#,
                #"exesdb_log_period_entries{node="ex_esdb@a",level="other"} 5"#,
            ])
        #expect(
            lines("exesdb_log_period_errors_per_second") == [
                #"exesdb_log_period_errors_per_second{node="ex_esdb@a"} 0.05"#
            ])
        #expect(
            lines("exesdb_log_filter_updates_total") == [
                #"exesdb_log_filter_updates_total{node="ex_esdb@a",filter_type="module",action="rate_limit"} 1"#
            ])
        #expect(
            lines("exesdb_log_rotations_total") == [#"exesdb_log_rotations_total{node="ex_esdb@a",log_type="audit"} 2"#]
        )
        #expect(lines("exesdb_log_rotated_bytes_total") == [#"exesdb_log_rotated_bytes_total{node="ex_esdb@a"} 3072"#])
    }

    /// 10^5 log entries with random components and levels, and a megabyte module name: at most 64
    /// components live (then `other`), every label value at most 128 bytes.
    @Test func aFloodOfRandomComponentsStaysBounded() {
        var random = SystemRandomNumberGenerator()
        let levels = ["debug", "info", "warn", "error", "critical", "bogus", String(repeating: "L", count: 500)]
        for index in 0..<100_000 {
            let module =
                index == 0
                ? String(repeating: "M", count: 1 << 20)
                : "Elixir.Random.M\(UInt64.random(in: 0...UInt64.max, using: &random))"
            receive(
                .logEntry(
                    LogEntry(
                        level: levels.randomElement(using: &random), module: module, node: "ex_esdb@a", timestamp: nil))
            )
        }
        let series = lines("exesdb_log_entries_total")
        let components = Set(series.compactMap { $0.firstMatch(of: /component="([^"]*)"/).map { String($0.1) } })
        #expect(components.count == 65, "64 observed and other")
        #expect(components.contains("other") && components.allSatisfy { $0.utf8.count <= 128 })
        #expect(series.count <= 65 * 6)
        let total = series.compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
        #expect(total == 100_000, "every entry is counted")
    }

    /// An observed name unseen for the TTL makes room for a new one.
    @Test func anObservedNameUnseenForTheTTLGivesUpItsPlace() {
        let names = ObservedNames(capacity: 2)
        #expect(names.label("a", at: 0, ttl: 10) == "a" && names.label("b", at: 5, ttl: 10) == "b")
        #expect(names.label("c", at: 9, ttl: 10) == "other", "both still live")
        #expect(names.label("c", at: 12, ttl: 10) == "c", "a was last seen at 0")
        #expect(names.label("b", at: 12, ttl: 10) == "b" && names.count == 2)
        #expect(names.label(nil, at: 12, ttl: 10) == "other" && names.label("", at: 12, ttl: 10) == "other")
        #expect(Vocabulary.logLevels.label("warning") == "warn" && Vocabulary.logLevels.label("WARN") == "other")
    }
}
