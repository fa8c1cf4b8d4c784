/// The ExESDBGater payloads (DESIGN.md 3.4). Atoms and strings become `String`, numbers `Double`
/// or `Int`, timestamps seconds since the Unix epoch (UTC).

public struct PerformanceMetric: Sendable, Equatable {
    public var metricName: String
    public var value: Double
    public var unit: String
    public var node: String
    public var component: String
    /// The numeric entries of `tags`, in their order on the wire.
    public var numericTags: [NumericTag]
    public var timestamp: Double?
}

public struct NumericTag: Sendable, Equatable {
    public var name: String
    public var value: Double
}

public struct ThroughputMetric: Sendable, Equatable {
    public var operation: String
    public var count: Int
    public var durationMilliseconds: Int
    public var ratePerSecond: Double
    public var node: String
    public var timestamp: Double?
}

public struct LatencyMetric: Sendable, Equatable {
    public var operation: String
    public var latencyMilliseconds: Double
    /// p50, p95, p99, max, min or avg.
    public var percentile: String
    public var sampleCount: Int
    public var node: String
    public var timestamp: Double?
}

public struct ResourceUsage: Sendable, Equatable {
    public var resourceType: String
    public var usagePercent: Double
    public var totalAvailable: Double?
    public var currentUsed: Double?
    public var node: String
    public var timestamp: Double?
}

public struct MetricAlert: Sendable, Equatable {
    public var metricName: String
    public var currentValue: Double
    public var thresholdValue: Double
    public var thresholdType: String
    public var severity: String
    public var node: String
    public var timestamp: Double?
}

public struct NodeHealth: Sendable, Equatable {
    public var node: String
    public var status: String
    /// Each check that reads as passing (true) or failing (false); others are left out.
    public var checks: [HealthCheckOutcome]
    public var loadAverage: Double?
    public var memoryUsagePercent: Double?
    public var diskUsagePercent: Double?
    public var timestamp: Double?
}

public struct HealthCheckOutcome: Sendable, Equatable {
    public var name: String
    public var passing: Bool
}

/// A cluster-wide view; each field nil (or empty) when it was absent or unusable.
public struct ClusterHealth: Sendable, Equatable {
    public var status: String?
    public var healthyNodes: Int?
    public var totalNodes: Int?
    public var degradedNodes: [String]
    public var unhealthyNodes: [String]
    public var quorumStatus: String?
    public var timestamp: Double?
}

public struct ComponentHealth: Sendable, Equatable {
    public var component: String
    public var node: String
    public var status: String
    public var lastCheck: Double?
    public var timestamp: Double?
}

public struct HealthCheck: Sendable, Equatable {
    public var checkName: String
    public var node: String
    /// pass, fail or timeout.
    public var result: String
    public var durationMilliseconds: Double?
    public var error: String?
    public var timestamp: Double?
}

public struct SystemAlert: Sendable, Equatable {
    /// Nil for an alert built without one (it cannot be joined or acknowledged).
    public var alertID: String?
    public var severity: String
    public var category: String
    public var title: String
    public var description: String
    public var source: String
    public var node: String
    public var requiresAcknowledgement: Bool
    public var timestamp: Double?
}

public struct AlertAcknowledgement: Sendable, Equatable {
    public var alertID: String
    public var acknowledgedBy: String
    public var note: String?
    public var resolution: String?
    public var timestamp: Double?
}

public struct AlertEscalation: Sendable, Equatable {
    public var alertID: String
    public var fromLevel: String
    public var toLevel: String
    public var reason: String
    public var escalatedBy: String
    public var notifyContacts: [String]
    public var timestamp: Double?
}

public struct NotificationStatus: Sendable, Equatable {
    public var alertID: String
    public var deliveryMethod: String
    public var recipient: String
    public var status: String
    public var errorReason: String?
    public var attempts: Int
    public var timestamp: Double?
}

/// One decoded ExESDBGater message.
///
/// The kinds that come in floods (throughput and latency) are stored inline; the others, larger
/// and rarer, in a box of their own, so that moving a message (it moves through every stage of
/// the ingest pass) moves a small value.
public enum GaterMessage: Sendable, Equatable {
    indirect case performance(PerformanceMetric)
    case throughput(ThroughputMetric)
    case latency(LatencyMetric)
    indirect case resourceUsage(ResourceUsage)
    indirect case metricAlert(MetricAlert)
    indirect case nodeHealth(NodeHealth)
    indirect case clusterHealth(ClusterHealth)
    indirect case componentHealth(ComponentHealth)
    indirect case healthCheck(HealthCheck)
    indirect case systemAlert(SystemAlert)
    indirect case alertAcknowledgement(AlertAcknowledgement)
    indirect case alertEscalation(AlertEscalation)
    indirect case notificationStatus(NotificationStatus)

    /// The type label of `exesdb_exporter_messages_total{bus, type}`: the Gater's tag.
    public var kind: GaterMessageKind {
        switch self {
        case .performance: .performanceMetric
        case .throughput: .throughputMetric
        case .latency: .latencyMetric
        case .resourceUsage: .resourceUsage
        case .metricAlert: .metricAlert
        case .nodeHealth: .nodeHealth
        case .clusterHealth: .clusterHealth
        case .componentHealth: .componentHealth
        case .healthCheck: .healthCheck
        case .systemAlert: .systemAlert
        case .alertAcknowledgement: .alertAcknowledgement
        case .alertEscalation: .alertEscalation
        case .notificationStatus: .notificationStatus
        }
    }
}

/// The thirteen kinds, named by the Gater's tag, with their struct module.
public enum GaterMessageKind: String, Sendable, CaseIterable {
    case performanceMetric = "performance_metric"
    case throughputMetric = "throughput_metric"
    case latencyMetric = "latency_metric"
    case resourceUsage = "resource_usage"
    case metricAlert = "metric_alert"
    case nodeHealth = "node_health_updated"
    case clusterHealth = "cluster_health_updated"
    case componentHealth = "component_health_updated"
    case healthCheck = "health_check_completed"
    case systemAlert = "system_alert"
    case alertAcknowledgement = "alert_acknowledged"
    case alertEscalation = "alert_escalated"
    case notificationStatus = "notification_status"

    /// The struct module, e.g. `Elixir.ExESDBGater.Messages.MetricsMessages.LatencyMetric`.
    public var module: String {
        let suffix: String
        switch self {
        case .performanceMetric: suffix = "MetricsMessages.PerformanceMetric"
        case .throughputMetric: suffix = "MetricsMessages.ThroughputMetric"
        case .latencyMetric: suffix = "MetricsMessages.LatencyMetric"
        case .resourceUsage: suffix = "MetricsMessages.ResourceUsage"
        case .metricAlert: suffix = "MetricsMessages.MetricAlert"
        case .nodeHealth: suffix = "HealthMessages.NodeHealth"
        case .clusterHealth: suffix = "HealthMessages.ClusterHealth"
        case .componentHealth: suffix = "HealthMessages.ComponentHealth"
        case .healthCheck: suffix = "HealthMessages.HealthCheck"
        case .systemAlert: suffix = "AlertMessages.SystemAlert"
        case .alertAcknowledgement: suffix = "AlertMessages.AlertAck"
        case .alertEscalation: suffix = "AlertMessages.AlertEscalation"
        case .notificationStatus: suffix = "AlertMessages.NotificationStatus"
        }
        return "Elixir.ExESDBGater.Messages." + suffix
    }
}
