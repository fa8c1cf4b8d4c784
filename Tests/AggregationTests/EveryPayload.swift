@testable import GaterMessages

/// One message of each payload kind of the nine buses, with the values of AggregatorTests and
/// BusAggregationTests, and label values that need escaping in the exposition.
enum EveryPayload {
    static let messages: [GaterMessage] =
        [
            .performance(
                PerformanceMetric(
                    metricName: "write_amplification", value: 1.75, unit: "ratio", node: "ex_esdb@a",
                    component: #"persist"ence\"#, numericTags: [NumericTag(name: "shard", value: 3)], timestamp: nil)),
            .throughput(
                ThroughputMetric(
                    operation: "append", count: 250, durationMilliseconds: 1500, ratePerSecond: 166.5,
                    node: "ex_esdb@a",
                    timestamp: nil)),
            .latency(
                LatencyMetric(
                    operation: "read", latencyMilliseconds: 4, percentile: "p99", sampleCount: 500, node: "ex_esdb@a",
                    timestamp: nil)),
            .resourceUsage(
                ResourceUsage(
                    resourceType: "memory", usagePercent: 62.5, totalAvailable: 8e9, currentUsed: 5e9,
                    node: "ex_esdb@a",
                    timestamp: nil)),
            .metricAlert(
                MetricAlert(
                    metricName: "latency_p99", currentValue: 250, thresholdValue: 100, thresholdType: "max",
                    severity: "critical", node: "ex_esdb@a", timestamp: nil)),
            .nodeHealth(
                NodeHealth(
                    node: "ex_esdb@a", status: "degraded",
                    checks: [
                        HealthCheckOutcome(name: "disk", passing: true),
                        HealthCheckOutcome(name: "raft", passing: false),
                    ],
                    loadAverage: 1.5, memoryUsagePercent: 40, diskUsagePercent: 91, timestamp: 1_700_000_000)),
            .clusterHealth(
                ClusterHealth(
                    status: "degraded", healthyNodes: 2, totalNodes: 3, degradedNodes: ["ex_esdb@c"],
                    unhealthyNodes: [],
                    quorumStatus: "available", timestamp: nil)),
            .componentHealth(
                ComponentHealth(
                    component: "emitter\nworker", node: "ex_esdb@a", status: "unhealthy", lastCheck: nil, timestamp: nil
                )),
            .healthCheck(
                HealthCheck(
                    checkName: "store_writable", node: "ex_esdb@a", result: "timeout", durationMilliseconds: 1200,
                    error: "timed out", timestamp: nil)),
            .systemAlert(
                SystemAlert(
                    alertID: "a1", severity: "critical", category: "performance", title: "t", description: "d",
                    source: "s", node: "ex_esdb@a", requiresAcknowledgement: true, timestamp: nil)),
            .alertAcknowledgement(
                AlertAcknowledgement(alertID: "a2", acknowledgedBy: "ops", note: nil, resolution: nil, timestamp: nil)),
            .alertEscalation(
                AlertEscalation(
                    alertID: "a1", fromLevel: "level1", toLevel: "level2", reason: "r", escalatedBy: "system",
                    notifyContacts: [], timestamp: nil)),
            .notificationStatus(
                NotificationStatus(
                    alertID: "a1", deliveryMethod: "webhook", recipient: "x", status: "failed", errorReason: "timeout",
                    attempts: 3, timestamp: nil)),
        ] + sixBuses

    static let sixBuses: [GaterMessage] = [
        .systemLifecycle(
            SystemLifecycle(
                event: "started", systemName: "ex_esdb", version: "0.11.0", node: "ex_esdb@a", timestamp: 1_700_000_000)
        ),
        .systemConfig(SystemConfigChange(component: "store", node: "ex_esdb@a", timestamp: nil)),
        .featureToggle(FeatureToggle(feature: "snap\"shots", enabled: true, node: "ex_esdb@a", timestamp: nil)),
        .nodeLifecycle(NodeLifecycle(node: "ex_esdb@c", event: "joined", clusterSize: 3, timestamp: nil)),
        .processLifecycle(
            ProcessLifecycle(
                name: "store_worker", pidName: nil, module: nil, event: "restarted", node: "ex_esdb@a", restartCount: 2,
                timestamp: nil)),
        .processLifecycle(
            ProcessLifecycle(
                name: "store_worker", pidName: nil, module: nil, event: "crashed", node: "ex_esdb@a", restartCount: 2,
                timestamp: nil)),
        .supervision(SupervisionEvent(event: "restart_limit_exceeded", node: "ex_esdb@a", timestamp: nil)),
        .clusterMembership(
            ClusterMembership(
                event: "node_added", affectedNodes: 1, activeNodes: 3, totalNodes: 3, quorumStatus: "available",
                node: "ex_esdb@a", timestamp: nil)),
        .dataChange(DataChange(resourceType: "stream", action: "update", node: "ex_esdb@a", timestamp: nil)),
        .adminAction(AdminAction(actionType: "permissions_changed", node: "ex_esdb@a", timestamp: nil)),
        .accessLog(
            AccessLog(
                resourceType: "stream", action: "read", success: false, durationMilliseconds: 12, node: "ex_esdb@a",
                timestamp: nil)),
        .complianceEvent(
            ComplianceEvent(eventType: "data_retention", automated: true, node: "ex_esdb@a", timestamp: nil)),
        .debugTrace(
            DebugTrace(component: "emitter\npool", durationMilliseconds: 250, node: "ex_esdb@a", timestamp: nil)),
        .performanceAnalysis(
            PerformanceAnalysis(
                component: "persistence", analysisType: "bottleneck", severity: "high",
                findings: [NumericTag(name: "queue_depth", value: 1200)], node: "ex_esdb@a", timestamp: nil)),
        .systemState(
            SystemState(
                snapshotType: "full", processCount: 1842, memoryBytes: 268_435_456, node: "ex_esdb@a", timestamp: nil)),
        .errorAnalysis(ErrorAnalysis(errorType: "timeout", frequency: 17, node: "ex_esdb@a", timestamp: nil)),
        .authEvent(AuthEvent(eventType: "login_failure", method: "password", node: "ex_esdb@a", timestamp: nil)),
        .accessViolation(
            AccessViolation(violationType: "permission_denied", severity: "high", node: "ex_esdb@a", timestamp: nil)),
        .securityAlert(
            SecurityAlert(
                alertType: "brute_force", severity: "critical", description: "d", affectedUsers: 2, node: "ex_esdb@a",
                timestamp: nil)),
        .sessionEvent(
            SessionEvent(eventType: "expired", durationMilliseconds: 1_800_000, node: "ex_esdb@a", timestamp: nil)),
        .logEntry(LogEntry(level: "error", module: "Elixir.ExESDB.StreamsWriter", node: "ex_esdb@a", timestamp: nil)),
        .logSummary(
            LogSummary(
                levelCounts: [NumericTag(name: "error", value: 7)], errorsPerMinute: 0.5, totalLogs: 7,
                node: "ex_esdb@a",
                timestamp: nil)),
        .logFilter(LogFilter(filterType: "level", action: "exclude", enabled: true, node: "ex_esdb@a", timestamp: nil)),
        .logRotation(
            LogRotation(logType: "audit", fileBytes: 10_485_760, entries: 52_000, node: "ex_esdb@a", timestamp: nil)),
        .logEvent(LogEvent(component: "emitter_pool", eventType: "error", node: "ex_esdb@a", timestamp: nil)),
    ]
}
