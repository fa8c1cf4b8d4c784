/// A payload decoded, with the fields it had but could not use; for a malformed one, what was
/// wrong (for the log line).
struct PayloadDecoding {
    var outcome: Result<GaterMessage, MessageRejection>
    var report = FieldReport()
    var detail: String?

    init(_ outcome: Result<GaterMessage, MessageRejection>, report: FieldReport = FieldReport(), detail: String? = nil)
    {
        self.outcome = outcome
        self.report = report
        self.detail = detail
    }
}

/// The fields each kind cannot do without, in the order the decoders ask for them: what a
/// rejection as malformed names.
enum RequiredFields {
    static func of(_ kind: GaterMessageKind) -> [PayloadField] {
        switch kind {
        case .performanceMetric: [.metricName, .value]
        case .throughputMetric: [.operation]
        case .latencyMetric: [.operation, .latencyMs]
        case .resourceUsage: [.resourceType, .usagePercent]
        case .metricAlert: [.metricName, .currentValue, .thresholdValue]
        case .nodeHealth: [.status]
        case .clusterHealth: [.status, .healthyNodes, .totalNodes]
        case .componentHealth: [.component, .status]
        case .healthCheck: [.checkName, .result]
        case .systemAlert: [.severity]
        case .alertAcknowledgement: [.alertId]
        case .alertEscalation: [.alertId, .toLevel]
        case .notificationStatus: [.alertId, .status]
        case .systemLifecycle, .nodeLifecycle, .processLifecycle, .supervision, .clusterMembership: [.event]
        case .featureToggle: [.feature]
        case .authEvent, .sessionEvent: [.eventType]
        case .logSummary: [.logCounts, .errorRate, .totalLogs]
        // Counted whatever their fields hold: never malformed once they are a map.
        case .systemConfig, .dataChange, .adminAction, .accessLog, .complianceEvent, .debugTrace,
            .performanceAnalysis, .systemState, .errorAnalysis, .accessViolation, .securityAlert, .logEntry,
            .logFilter, .logRotation, .logEvent:
            []
        }
    }

    /// `field=<key> missing` or `field=<key> found=<shape>` for the first required field that
    /// is absent or unusable.
    static func problem<F: PayloadFields>(of kind: GaterMessageKind, _ fields: F, _ report: FieldReport) -> String {
        for field in of(kind) {
            if let shape = report.shape(of: field) { return "field=\(field.atomName) found=\(shape.rawValue)" }
            if report.contains(field) { return "field=\(field.atomName) unusable" }
            if fields.shape(field) == nil { return "field=\(field.atomName) missing" }
        }
        switch kind {
        case .throughputMetric: return "neither count nor rate_per_sec is a number"
        case .clusterHealth, .logSummary: return "no field of it is usable"
        default: return "a required field is unusable"
        }
    }
}
