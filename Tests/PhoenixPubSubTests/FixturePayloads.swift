@testable import GaterMessages

/// What `gater_fixture:payloads()` sends, as typed values: one payload of each kind with the topic
/// it is published on. (GaterMessagesTests pins the same values for bytes decoded in process;
/// here they are what must come out of a real node's broadcasts.)
enum FixturePayloads {
    static let timestamp = 1_795_342_530.123

    /// Every struct of the nine buses, as `pa1@localhost` sends them.
    static let expected: [GaterMessageKind: (topic: String, message: GaterMessage)] = threeBuses.merging(
        BusPayloadExpectations.expected(sender: "pa1@localhost").map { kind, message in
            (kind, (topic: busTopics[kind] ?? "", message: message))
        }, uniquingKeysWith: { first, _ in first })

    /// The topics of gater_fixture:bus_payloads/0.
    static let busTopics: [GaterMessageKind: String] = [
        .systemLifecycle: "lifecycle", .systemConfig: "config", .featureToggle: "features",
        .nodeLifecycle: "node_lifecycle", .processLifecycle: "process_lifecycle", .supervision: "supervision",
        .clusterMembership: "cluster_membership", .dataChange: "data_changes", .adminAction: "admin_actions",
        .accessLog: "access_logs", .complianceEvent: "compliance", .debugTrace: "debug_traces",
        .performanceAnalysis: "performance_analysis", .systemState: "system_state", .errorAnalysis: "error_analysis",
        .authEvent: "auth_events", .accessViolation: "access_violations", .securityAlert: "security_alerts",
        .sessionEvent: "session_events", .logEntry: "error_logs", .logSummary: "system_logs",
        .logFilter: "system_logs", .logRotation: "system_logs",
    ]

    static let threeBuses: [GaterMessageKind: (topic: String, message: GaterMessage)] = [
        .performanceMetric: (
            "performance",
            .performance(
                PerformanceMetric(
                    metricName: "write_queue_depth", value: 42, unit: "items", node: "ex_esdb@host-1",
                    component: "persistence",
                    numericTags: [NumericTag(name: "ratio", value: 0.5), NumericTag(name: "shard", value: 3)],
                    timestamp: timestamp))
        ),
        .throughputMetric: (
            "throughput",
            .throughput(
                ThroughputMetric(
                    operation: "stream_append", count: 1200, durationMilliseconds: 1000, ratePerSecond: 1200,
                    node: "ex_esdb@host-1", timestamp: timestamp))
        ),
        .latencyMetric: (
            "latency",
            .latency(
                LatencyMetric(
                    operation: "stream_read", latencyMilliseconds: 12.75, percentile: "p99", sampleCount: 1500,
                    node: "ex_esdb@host-1", timestamp: timestamp))
        ),
        .resourceUsage: (
            "resource_usage",
            .resourceUsage(
                ResourceUsage(
                    resourceType: "memory", usagePercent: 71.5, totalAvailable: 17_179_869_184,
                    currentUsed: 12_283_418_214, node: "ex_esdb@host-2", timestamp: timestamp))
        ),
        .metricAlert: (
            "persistence",
            .metricAlert(
                MetricAlert(
                    metricName: "write_latency", currentValue: 250, thresholdValue: 100, thresholdType: "max",
                    severity: "critical", node: "ex_esdb@host-1", timestamp: timestamp))
        ),
        .nodeHealth: (
            "component_health",
            .nodeHealth(
                NodeHealth(
                    node: "ex_esdb@host-2", status: "degraded",
                    checks: [
                        HealthCheckOutcome(name: "disk", passing: true),
                        HealthCheckOutcome(name: "memory", passing: false),
                        HealthCheckOutcome(name: "network", passing: false),
                        HealthCheckOutcome(name: "raft", passing: true),
                    ], loadAverage: 1.25, memoryUsagePercent: 71.5, diskUsagePercent: 40, timestamp: timestamp))
        ),
        .clusterHealth: (
            "cluster:health",
            .clusterHealth(
                ClusterHealth(
                    status: "degraded", healthyNodes: 2, totalNodes: 3, degradedNodes: ["ex_esdb@host-2"],
                    unhealthyNodes: [], quorumStatus: "available", timestamp: timestamp))
        ),
        .componentHealth: (
            "store:health",
            .componentHealth(
                ComponentHealth(
                    component: "store_worker", node: "ex_esdb@host-1", status: "healthy", lastCheck: nil,
                    timestamp: timestamp))
        ),
        .healthCheck: (
            "store:health",
            .healthCheck(
                HealthCheck(
                    checkName: "disk_space", node: "ex_esdb@host-3", result: "fail", durationMilliseconds: 35,
                    error: "disk 97% full", timestamp: timestamp))
        ),
        .systemAlert: (
            "critical",
            .systemAlert(
                SystemAlert(
                    alertID: "alert-1", severity: "critical", category: "network", title: "Node down",
                    description: "ex_esdb@host-3 unreachable", source: "cluster_monitor", node: "ex_esdb@host-1",
                    requiresAcknowledgement: true, timestamp: timestamp))
        ),
        .alertAcknowledgement: (
            "warnings",
            .alertAcknowledgement(
                AlertAcknowledgement(
                    alertID: "alert-1", acknowledgedBy: "oncall", note: "looking", resolution: nil,
                    timestamp: timestamp))
        ),
        .alertEscalation: (
            "escalations",
            .alertEscalation(
                AlertEscalation(
                    alertID: "alert-1", fromLevel: "level1", toLevel: "level2", reason: "no ack in 5m",
                    escalatedBy: "escalation_manager", notifyContacts: ["ops@example.com", "sre@example.com"],
                    timestamp: timestamp))
        ),
        .notificationStatus: (
            "escalations",
            .notificationStatus(
                NotificationStatus(
                    alertID: "alert-1", deliveryMethod: "webhook", recipient: "https://hooks.example/x",
                    status: "failed", errorReason: "timeout", attempts: 3, timestamp: timestamp))
        ),
    ]

    /// `message` with what depends on the publisher's map iteration order put in name order.
    static func normalized(_ message: GaterMessage) -> GaterMessage {
        guard case .nodeHealth(var health) = message else { return message }
        health.checks.sort { $0.name < $1.name }
        return .nodeHealth(health)
    }
}
