@testable import GaterMessages

/// One message of each of the thirteen payload kinds, with the values of AggregatorTests, and
/// label values that need escaping in the exposition.
enum EveryPayload {
    static let messages: [GaterMessage] = [
        .performance(
            PerformanceMetric(
                metricName: "write_amplification", value: 1.75, unit: "ratio", node: "ex_esdb@a",
                component: #"persist"ence\"#, numericTags: [NumericTag(name: "shard", value: 3)], timestamp: nil)),
        .throughput(
            ThroughputMetric(
                operation: "append", count: 250, durationMilliseconds: 1500, ratePerSecond: 166.5, node: "ex_esdb@a",
                timestamp: nil)),
        .latency(
            LatencyMetric(
                operation: "read", latencyMilliseconds: 4, percentile: "p99", sampleCount: 500, node: "ex_esdb@a",
                timestamp: nil)),
        .resourceUsage(
            ResourceUsage(
                resourceType: "memory", usagePercent: 62.5, totalAvailable: 8e9, currentUsed: 5e9, node: "ex_esdb@a",
                timestamp: nil)),
        .metricAlert(
            MetricAlert(
                metricName: "latency_p99", currentValue: 250, thresholdValue: 100, thresholdType: "max",
                severity: "critical", node: "ex_esdb@a", timestamp: nil)),
        .nodeHealth(
            NodeHealth(
                node: "ex_esdb@a", status: "degraded",
                checks: [
                    HealthCheckOutcome(name: "disk", passing: true), HealthCheckOutcome(name: "raft", passing: false),
                ],
                loadAverage: 1.5, memoryUsagePercent: 40, diskUsagePercent: 91, timestamp: 1_700_000_000)),
        .clusterHealth(
            ClusterHealth(
                status: "degraded", healthyNodes: 2, totalNodes: 3, degradedNodes: ["ex_esdb@c"], unhealthyNodes: [],
                quorumStatus: "available", timestamp: nil)),
        .componentHealth(
            ComponentHealth(
                component: "emitter\nworker", node: "ex_esdb@a", status: "unhealthy", lastCheck: nil, timestamp: nil)),
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
    ]
}
