/// The ExESDBGater payloads (docs/architecture.md, Payloads). Atoms and strings become `String`, numbers `Double`
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
    indirect case systemLifecycle(SystemLifecycle)
    indirect case systemConfig(SystemConfigChange)
    indirect case featureToggle(FeatureToggle)
    indirect case nodeLifecycle(NodeLifecycle)
    indirect case processLifecycle(ProcessLifecycle)
    indirect case supervision(SupervisionEvent)
    indirect case clusterMembership(ClusterMembership)
    indirect case dataChange(DataChange)
    indirect case adminAction(AdminAction)
    indirect case accessLog(AccessLog)
    indirect case complianceEvent(ComplianceEvent)
    indirect case debugTrace(DebugTrace)
    indirect case performanceAnalysis(PerformanceAnalysis)
    indirect case systemState(SystemState)
    indirect case errorAnalysis(ErrorAnalysis)
    indirect case authEvent(AuthEvent)
    indirect case accessViolation(AccessViolation)
    indirect case securityAlert(SecurityAlert)
    indirect case sessionEvent(SessionEvent)
    indirect case logEntry(LogEntry)
    indirect case logSummary(LogSummary)
    indirect case logFilter(LogFilter)
    indirect case logRotation(LogRotation)
    indirect case logEvent(LogEvent)

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
        case .systemLifecycle: .systemLifecycle
        case .systemConfig: .systemConfig
        case .featureToggle: .featureToggle
        case .nodeLifecycle: .nodeLifecycle
        case .processLifecycle: .processLifecycle
        case .supervision: .supervision
        case .clusterMembership: .clusterMembership
        case .dataChange: .dataChange
        case .adminAction: .adminAction
        case .accessLog: .accessLog
        case .complianceEvent: .complianceEvent
        case .debugTrace: .debugTrace
        case .performanceAnalysis: .performanceAnalysis
        case .systemState: .systemState
        case .errorAnalysis: .errorAnalysis
        case .authEvent: .authEvent
        case .accessViolation: .accessViolation
        case .securityAlert: .securityAlert
        case .sessionEvent: .sessionEvent
        case .logEntry: .logEntry
        case .logSummary: .logSummary
        case .logFilter: .logFilter
        case .logRotation: .logRotation
        case .logEvent: .logEvent
        }
    }
}

/// The kinds, named by the Gater's tag, with their struct module: the thirteen of the metrics,
/// health and alerts buses, the twenty-three structs of the other six, and ExESDB's unsigned
/// `{log_event, Map}`.
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
    case systemLifecycle = "system_lifecycle_event"
    case systemConfig = "system_config_changed"
    case featureToggle = "feature_toggle_changed"
    case nodeLifecycle = "node_lifecycle_event"
    case processLifecycle = "process_lifecycle_event"
    case supervision = "supervision_event"
    case clusterMembership = "cluster_membership_changed"
    case dataChange = "data_change"
    case adminAction = "admin_action"
    case accessLog = "access_log"
    case complianceEvent = "compliance_event"
    case debugTrace = "debug_trace"
    case performanceAnalysis = "performance_analysis"
    case systemState = "system_state"
    case errorAnalysis = "error_analysis"
    case authEvent = "auth_event"
    case accessViolation = "access_violation"
    case securityAlert = "security_alert"
    case sessionEvent = "session_event"
    case logEntry = "log_entry"
    case logSummary = "log_summary"
    case logFilter = "log_filter_updated"
    case logRotation = "log_rotation"
    case logEvent = "log_event"

    /// The struct module, e.g. `Elixir.ExESDBGater.Messages.MetricsMessages.LatencyMetric`; nil for
    /// `log_event`, which ExESDB's logging publisher sends as a plain map.
    public var module: String? {
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
        case .systemLifecycle: suffix = "SystemMessages.SystemLifecycle"
        case .systemConfig: suffix = "SystemMessages.SystemConfig"
        case .featureToggle: suffix = "SystemMessages.FeatureToggle"
        case .nodeLifecycle: suffix = "LifecycleMessages.NodeLifecycle"
        case .processLifecycle: suffix = "LifecycleMessages.ProcessLifecycle"
        case .supervision: suffix = "LifecycleMessages.SupervisionEvent"
        case .clusterMembership: suffix = "LifecycleMessages.ClusterMembership"
        case .dataChange: suffix = "AuditMessages.DataChange"
        case .adminAction: suffix = "AuditMessages.AdminAction"
        case .accessLog: suffix = "AuditMessages.AccessLog"
        case .complianceEvent: suffix = "AuditMessages.ComplianceEvent"
        case .debugTrace: suffix = "DiagnosticsMessages.DebugTrace"
        case .performanceAnalysis: suffix = "DiagnosticsMessages.PerformanceAnalysis"
        case .systemState: suffix = "DiagnosticsMessages.SystemState"
        case .errorAnalysis: suffix = "DiagnosticsMessages.ErrorAnalysis"
        case .authEvent: suffix = "SecurityMessages.AuthEvent"
        case .accessViolation: suffix = "SecurityMessages.AccessViolation"
        case .securityAlert: suffix = "SecurityMessages.SecurityAlert"
        case .sessionEvent: suffix = "SecurityMessages.SessionEvent"
        case .logEntry: suffix = "LoggingMessages.LogEntry"
        case .logSummary: suffix = "LoggingMessages.LogSummary"
        case .logFilter: suffix = "LoggingMessages.LogFilter"
        case .logRotation: suffix = "LoggingMessages.LogRotation"
        case .logEvent: return nil
        }
        return "Elixir.ExESDBGater.Messages." + suffix
    }
}

extension GaterMessageKind {
    /// The bus ExESDBGater publishes the kind on (docs/architecture.md, Payloads).
    public var bus: GaterBus {
        switch self {
        case .performanceMetric, .throughputMetric, .latencyMetric, .resourceUsage, .metricAlert: .metrics
        case .nodeHealth, .clusterHealth, .componentHealth, .healthCheck: .health
        case .systemAlert, .alertAcknowledgement, .alertEscalation, .notificationStatus: .alerts
        case .systemLifecycle, .systemConfig, .featureToggle: .system
        case .nodeLifecycle, .processLifecycle, .supervision, .clusterMembership: .lifecycle
        case .dataChange, .adminAction, .accessLog, .complianceEvent: .audit
        case .debugTrace, .performanceAnalysis, .systemState, .errorAnalysis: .diagnostics
        case .authEvent, .accessViolation, .securityAlert, .sessionEvent: .security
        case .logEntry, .logSummary, .logFilter, .logRotation, .logEvent: .logging
        }
    }
}

/// The nine ExESDBGater buses (docs/architecture.md, The buses and the pg overlay), by their Phoenix.PubSub server names.
public enum GaterBus: String, Sendable, CaseIterable {
    case system = "ex_esdb_system"
    case health = "ex_esdb_health"
    case metrics = "ex_esdb_metrics"
    case lifecycle = "ex_esdb_lifecycle"
    case alerts = "ex_esdb_alerts"
    case audit = "ex_esdb_audit"
    case diagnostics = "ex_esdb_diagnostics"
    case security = "ex_esdb_security"
    case logging = "ex_esdb_logging"

    /// What the exporter follows unless told otherwise.
    public static let defaults: [GaterBus] = [.metrics, .health, .alerts]
}
