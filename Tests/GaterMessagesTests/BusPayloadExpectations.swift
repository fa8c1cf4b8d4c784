@testable import GaterMessages

/// What gater_fixture:bus_payloads/0 sends, as typed values: one payload of every struct of the
/// system, lifecycle, audit, diagnostics, security and logging buses. `sender` stands for the
/// node of the payloads that name none.
enum BusPayloadExpectations {
    static let timestamp = 1_795_342_530.123

    static func expected(sender: String) -> [GaterMessageKind: GaterMessage] {
        let t = timestamp
        return [
            .systemLifecycle: .systemLifecycle(
                SystemLifecycle(
                    event: "started", systemName: "ex_esdb", version: "0.11.0", node: "ex_esdb@host-1", timestamp: t)),
            .systemConfig: .systemConfig(SystemConfigChange(component: "store", node: "ex_esdb@host-1", timestamp: t)),
            .featureToggle: .featureToggle(
                FeatureToggle(feature: "snapshots", enabled: true, node: "ex_esdb@host-2", timestamp: t)),
            .nodeLifecycle: .nodeLifecycle(
                NodeLifecycle(node: "ex_esdb@host-3", event: "joined", clusterSize: 3, timestamp: t)),
            .processLifecycle: .processLifecycle(
                ProcessLifecycle(
                    name: "ex_esdb_store_worker", pidName: nil, module: "Elixir.ExESDB.StoreWorker", event: "restarted",
                    node: "ex_esdb@host-1", restartCount: 2, timestamp: t)),
            .supervision: .supervision(
                SupervisionEvent(event: "child_terminated", node: "ex_esdb@host-1", timestamp: t)),
            .clusterMembership: .clusterMembership(
                ClusterMembership(
                    event: "node_added", affectedNodes: 1, activeNodes: 3, totalNodes: 3, quorumStatus: "available",
                    node: "ex_esdb@host-1", timestamp: t)),
            .dataChange: .dataChange(
                DataChange(resourceType: "stream", action: "update", node: "ex_esdb@host-1", timestamp: t)),
            .adminAction: .adminAction(
                AdminAction(actionType: "permissions_changed", node: "ex_esdb@host-2", timestamp: t)),
            .accessLog: .accessLog(
                AccessLog(
                    resourceType: "stream", action: "read", success: false, durationMilliseconds: 12,
                    node: "ex_esdb@host-1", timestamp: t)),
            .complianceEvent: .complianceEvent(
                ComplianceEvent(eventType: "data_retention", automated: true, node: "ex_esdb@host-1", timestamp: t)),
            .debugTrace: .debugTrace(
                DebugTrace(component: "emitter_pool", durationMilliseconds: 250, node: "ex_esdb@host-1", timestamp: t)),
            .performanceAnalysis: .performanceAnalysis(
                PerformanceAnalysis(
                    component: "persistence", analysisType: "bottleneck", severity: "high",
                    findings: [NumericTag(name: "p99_ms", value: 45.5), NumericTag(name: "queue_depth", value: 1200)],
                    node: "ex_esdb@host-2", timestamp: t)),
            .systemState: .systemState(
                SystemState(
                    snapshotType: "process_tree", processCount: 1842, memoryBytes: 268_435_456, node: "ex_esdb@host-1",
                    timestamp: t)),
            .errorAnalysis: .errorAnalysis(
                ErrorAnalysis(errorType: "timeout", frequency: 17, node: "ex_esdb@host-3", timestamp: t)),
            .authEvent: .authEvent(
                AuthEvent(eventType: "login_failure", method: "password", node: "ex_esdb@host-2", timestamp: t)),
            .accessViolation: .accessViolation(
                AccessViolation(violationType: "permission_denied", severity: "high", node: sender, timestamp: t)),
            .securityAlert: .securityAlert(
                SecurityAlert(
                    alertType: "brute_force", severity: "critical", description: "12 failed logins in 60 s",
                    affectedUsers: 2, node: "ex_esdb@host-2", timestamp: t)),
            .sessionEvent: .sessionEvent(
                SessionEvent(
                    eventType: "expired", durationMilliseconds: 1_800_000, node: "ex_esdb@host-1", timestamp: t)),
            .logEntry: .logEntry(
                LogEntry(level: "error", module: "Elixir.ExESDB.StreamsWriter", node: "ex_esdb@host-1", timestamp: t)),
            .logSummary: .logSummary(
                LogSummary(
                    levelCounts: [
                        NumericTag(name: "error", value: 7), NumericTag(name: "info", value: 1200),
                        NumericTag(name: "warn", value: 40),
                    ], errorsPerMinute: 0.5, totalLogs: 1247, node: sender, timestamp: t)),
            .logFilter: .logFilter(
                LogFilter(filterType: "level", action: "exclude", enabled: true, node: sender, timestamp: t)),
            .logRotation: .logRotation(
                LogRotation(
                    logType: "audit", fileBytes: 10_485_760, entries: 52_000, node: "ex_esdb@host-3", timestamp: t)),
        ]
    }
}
