import ErlangTerm

/// Turns a verified inner term `{Tag, Payload}` into a typed message (docs/architecture.md, Payloads): the kind
/// comes from the payload's `__struct__` module, else the tag, else the payload's keys; a tag
/// paired with a struct of another kind is decoded by the struct. What cannot be decoded is a
/// rejection, never a crash.
public struct GaterDecoder: Sendable {
    public init() {}

    /// `sender` stands for the payload's node when it names none.
    public func decode(_ view: TermView, inner: TermRef, sender: String) -> Result<GaterMessage, MessageRejection> {
        decodeReporting(view, inner: inner, sender: sender).outcome
    }

    /// The same, with the fields that were there but could not be used, and, for a payload
    /// rejected as malformed, what was wrong with it (`field=total_nodes found=atom`).
    func decodeReporting(_ view: TermView, inner: TermRef, sender: String) -> PayloadDecoding {
        guard view.kind(of: inner) == .tuple, view.count(of: inner) == 2, let tag = view.element(0, of: inner),
            let payload = view.element(1, of: inner)
        else { return PayloadDecoding(.failure(.malformed), detail: "the inner term is no {Tag, Payload} pair") }
        guard view.kind(of: payload) == .map else {
            return PayloadDecoding(.failure(.malformed), detail: "the payload is no map (a struct travels as one)")
        }
        // The message is written out of the closure rather than returned through it: a value
        // this large returned through generic closures is copied at every level.
        var decoding = PayloadDecoding(.failure(.unknownType))
        PayloadReader.withFields(of: payload, in: view) { fields in
            guard let kind = Self.kind(view, tag: tag, fields: fields) else { return }
            decoding = Self.decoding(of: kind, fields, sender: sender)
        }
        return decoding
    }

    /// The message of `kind`, noting the fields it could not use; when it is malformed, why.
    static func decoding<F: PayloadFields>(of kind: GaterMessageKind, _ fields: F, sender: String) -> PayloadDecoding {
        var report = FieldReport()
        let decoded = withUnsafeMutablePointer(to: &report) { report in
            Self.message(of: kind, RecordingFields(fields: fields, report: report), sender: sender)
        }
        guard let decoded else {
            return PayloadDecoding(
                .failure(.malformed), report: report, detail: RequiredFields.problem(of: kind, fields, report))
        }
        return PayloadDecoding(.success(decoded), report: report)
    }

    /// Each kind's struct module, compared with the `__struct__` atom's bytes in place; positions
    /// follow `kinds`, the kinds that are structs.
    static let modules = AtomTable(kinds.compactMap(\.module))
    static let kinds = GaterMessageKind.allCases.filter { $0.module != nil }

    static func kind(_ view: TermView, tag: TermRef, fields: PayloadReader) -> GaterMessageKind? {
        if let kind = fields.structKind { return kind }
        if let module = fields.field(.structModule), let position = modules.index(of: module, in: view) {
            return kinds[position]
        }
        if let name = view.text(of: tag), let kind = GaterMessageKind(rawValue: name) { return kind }
        return kindByShape(fields)
    }

    /// Plain maps without `__struct__` and an unknown tag: recognized by the keys only their kind has.
    static func kindByShape(_ fields: PayloadReader) -> GaterMessageKind? {
        shapes.first { $0.keys.allSatisfy(fields.has) }?.kind
    }

    private static let shapes: [(kind: GaterMessageKind, keys: [PayloadField])] = [
        (.latencyMetric, [.latencyMs, .percentile]), (.throughputMetric, [.ratePerSec]),
        (.resourceUsage, [.resourceType, .usagePercent]), (.metricAlert, [.thresholdValue, .thresholdType]),
        (.performanceMetric, [.metricName, .value]), (.clusterHealth, [.healthyNodes, .totalNodes]),
        (.healthCheck, [.checkName, .result]), (.alertAcknowledgement, [.alertId, .ackBy]),
        (.alertEscalation, [.alertId, .toLevel]), (.notificationStatus, [.alertId, .deliveryMethod]),
        (.systemAlert, [.alertId, .severity]), (.componentHealth, [.component, .status]),
        (.nodeHealth, [.status, .checks]),
        // The other six buses: each kind's own keys, checked after the thirteen above.
        (.systemLifecycle, [.event, .systemName]), (.systemConfig, [.component, .changes]),
        (.featureToggle, [.feature, .enabled]), (.nodeLifecycle, [.event, .clusterSize]),
        (.processLifecycle, [.event, .restartCount]), (.supervision, [.supervisor, .event]),
        (.clusterMembership, [.event, .affectedNodes]), (.dataChange, [.action, .changes]),
        (.adminAction, [.actionType]), (.accessLog, [.action, .success]), (.complianceEvent, [.eventType, .automated]),
        (.debugTrace, [.operation, .component]), (.performanceAnalysis, [.analysisType]),
        (.systemState, [.snapshotType]), (.errorAnalysis, [.errorType, .frequency]),
        (.authEvent, [.eventType, .authMethod]), (.accessViolation, [.violationType]),
        (.securityAlert, [.alertType]), (.sessionEvent, [.eventType, .durationMs]), (.logEntry, [.level]),
        (.logSummary, [.logCounts]), (.logFilter, [.filterType]), (.logRotation, [.logType]),
        (.logEvent, [.component, .eventType]),
    ]

    /// The message of `kind` from its fields (a switch, not a dictionary: no hashing per message);
    /// nil when a field the metrics need is missing.
    static func message<F: PayloadFields>(of kind: GaterMessageKind, _ f: F, sender: String) -> GaterMessage? {
        switch kind {
        case .performanceMetric: performance(f, sender)
        case .throughputMetric: throughput(f, sender)
        case .latencyMetric: latency(f, sender)
        case .resourceUsage: resourceUsage(f, sender)
        case .metricAlert: metricAlert(f, sender)
        case .nodeHealth: nodeHealth(f, sender)
        case .clusterHealth: clusterHealth(f, sender)
        case .componentHealth: componentHealth(f, sender)
        case .healthCheck: healthCheck(f, sender)
        case .systemAlert: systemAlert(f, sender)
        case .alertAcknowledgement: alertAcknowledgement(f, sender)
        case .alertEscalation: alertEscalation(f, sender)
        case .notificationStatus: notificationStatus(f, sender)
        case .systemLifecycle: systemLifecycle(f, sender)
        case .systemConfig: systemConfig(f, sender)
        case .featureToggle: featureToggle(f, sender)
        case .nodeLifecycle: nodeLifecycle(f, sender)
        case .processLifecycle: processLifecycle(f, sender)
        case .supervision: supervision(f, sender)
        case .clusterMembership: clusterMembership(f, sender)
        case .dataChange: dataChange(f, sender)
        case .adminAction: adminAction(f, sender)
        case .accessLog: accessLog(f, sender)
        case .complianceEvent: complianceEvent(f, sender)
        case .debugTrace: debugTrace(f, sender)
        case .performanceAnalysis: performanceAnalysis(f, sender)
        case .systemState: systemState(f, sender)
        case .errorAnalysis: errorAnalysis(f, sender)
        case .authEvent: authEvent(f, sender)
        case .accessViolation: accessViolation(f, sender)
        case .securityAlert: securityAlert(f, sender)
        case .sessionEvent: sessionEvent(f, sender)
        case .logEntry: logEntry(f, sender)
        case .logSummary: logSummary(f, sender)
        case .logFilter: logFilter(f, sender)
        case .logRotation: logRotation(f, sender)
        case .logEvent: logEvent(f, sender)
        }
    }

    // One small decoder per kind; `nil` when a field the metrics need is missing.
    static func performance<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let name = f.text(.metricName), let value = f.double(.value) else { return nil }
        let tags = f.numericTags(.tags)
        return .performance(
            PerformanceMetric(
                metricName: name, value: value, unit: f.text(.unit) ?? "", node: f.text(.node) ?? sender,
                component: f.text(.component) ?? "", numericTags: tags, timestamp: f.timestamp(.timestamp)))
    }

    static func throughput<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let operation = f.text(.operation) else { return nil }
        let count = f.count(.count)
        let duration = f.count(.durationMs)
        guard count != nil || f.double(.ratePerSec) != nil else { return nil }
        return .throughput(
            ThroughputMetric(
                operation: operation, count: count ?? 0, durationMilliseconds: duration ?? 0,
                ratePerSecond: f.double(.ratePerSec) ?? 0, node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }

    static func latency<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let operation = f.text(.operation), let latency = f.double(.latencyMs) else { return nil }
        return .latency(
            LatencyMetric(
                operation: operation, latencyMilliseconds: latency, percentile: f.text(.percentile) ?? "avg",
                sampleCount: f.count(.sampleCount) ?? 0, node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }

    static func resourceUsage<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let resource = f.text(.resourceType), let usage = f.double(.usagePercent) else { return nil }
        return .resourceUsage(
            ResourceUsage(
                resourceType: resource, usagePercent: usage, totalAvailable: f.double(.totalAvailable),
                currentUsed: f.double(.currentUsed), node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }

    static func metricAlert<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let name = f.text(.metricName), let current = f.double(.currentValue),
            let threshold = f.double(.thresholdValue)
        else { return nil }
        return .metricAlert(
            MetricAlert(
                metricName: name, currentValue: current, thresholdValue: threshold,
                thresholdType: f.text(.thresholdType) ?? "max", severity: f.text(.severity) ?? "warning",
                node: f.text(.node) ?? sender, timestamp: f.timestamp(.timestamp)))
    }

    static func nodeHealth<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let status = f.text(.status) else { return nil }
        let checks = f.checkOutcomes(.checks)
        return .nodeHealth(
            NodeHealth(
                node: f.text(.node) ?? sender, status: status, checks: checks, loadAverage: f.double(.loadAvg),
                memoryUsagePercent: f.double(.memoryUsage), diskUsagePercent: f.double(.diskUsage),
                timestamp: f.timestamp(.timestamp)))
    }

    /// Every sound field is taken and the rest left out: ExESDB 0.11 calls the Gater's constructor
    /// with its arguments shifted (`status` a list of nodes, `total_nodes` an event atom), and
    /// what is sound in such a message is still worth having. Rejected only when nothing is.
    static func clusterHealth<F: PayloadFields>(_ f: F, _: String) -> GaterMessage? {
        let health = ClusterHealth(
            status: f.text(.status), healthyNodes: f.count(.healthyNodes), totalNodes: f.count(.totalNodes),
            degradedNodes: f.names(.degradedNodes), unhealthyNodes: f.names(.unhealthyNodes),
            quorumStatus: f.text(.quorumStatus), timestamp: f.timestamp(.timestamp))
        guard
            health.status != nil || health.healthyNodes != nil || health.totalNodes != nil
                || health.quorumStatus != nil || !health.degradedNodes.isEmpty || !health.unhealthyNodes.isEmpty
        else { return nil }
        return .clusterHealth(health)
    }

    static func componentHealth<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let component = f.text(.component), let status = f.text(.status) else { return nil }
        return .componentHealth(
            ComponentHealth(
                component: component, node: f.text(.node) ?? sender, status: status,
                lastCheck: f.timestamp(.lastCheck), timestamp: f.timestamp(.timestamp)))
    }

    static func healthCheck<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let name = f.text(.checkName), let result = f.text(.result) else { return nil }
        return .healthCheck(
            HealthCheck(
                checkName: name, node: f.text(.node) ?? sender, result: result,
                durationMilliseconds: f.double(.durationMs), error: f.text(.error),
                timestamp: f.timestamp(.timestamp)))
    }

    /// ExESDB builds some alerts as plain maps without `alert_id`: such an alert counts, but
    /// cannot be joined or acknowledged.
    static func systemAlert<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let severity = f.text(.severity) else { return nil }
        return .systemAlert(
            SystemAlert(
                alertID: f.text(.alertId), severity: severity, category: f.text(.category) ?? "system",
                title: f.text(.title) ?? "", description: f.text(.description) ?? "",
                source: f.text(.source) ?? "", node: f.text(.node) ?? sender,
                requiresAcknowledgement: f.bool(.requiresAck) ?? false, timestamp: f.timestamp(.timestamp)))
    }

    static func alertAcknowledgement<F: PayloadFields>(_ f: F, _: String) -> GaterMessage? {
        guard let id = f.text(.alertId) else { return nil }
        return .alertAcknowledgement(
            AlertAcknowledgement(
                alertID: id, acknowledgedBy: f.text(.ackBy) ?? "", note: f.text(.ackNote),
                resolution: f.text(.resolution),
                timestamp: f.timestamp(.ackTimestamp) ?? f.timestamp(.timestamp)))
    }

    static func alertEscalation<F: PayloadFields>(_ f: F, _: String) -> GaterMessage? {
        guard let id = f.text(.alertId), let to = f.text(.toLevel) else { return nil }
        return .alertEscalation(
            AlertEscalation(
                alertID: id, fromLevel: f.text(.fromLevel) ?? "", toLevel: to,
                reason: f.text(.escalationReason) ?? "", escalatedBy: f.text(.escalatedBy) ?? "",
                notifyContacts: f.names(.notifyContacts), timestamp: f.timestamp(.timestamp)))
    }

    static func notificationStatus<F: PayloadFields>(_ f: F, _: String) -> GaterMessage? {
        guard let id = f.text(.alertId), let status = f.text(.status) else { return nil }
        return .notificationStatus(
            NotificationStatus(
                alertID: id, deliveryMethod: f.text(.deliveryMethod) ?? "", recipient: f.text(.recipient) ?? "",
                status: status, errorReason: f.text(.errorReason), attempts: f.count(.attempts) ?? 0,
                timestamp: f.timestamp(.timestamp)))
    }
}

/// Health check values that read as passing (true, ok, pass, healthy) or failing.
enum HealthVerdict {
    static let passing: Set<String> = ["true", "ok", "pass", "passed", "healthy", "up"]
    static let failing: Set<String> = ["false", "error", "fail", "failed", "unhealthy", "down", "degraded", "timeout"]

    static func passing(_ view: TermView, _ value: TermRef) -> Bool? {
        if view.kind(of: value) == .tuple, let first = view.element(0, of: value) {
            return passing(view, first)
        }
        guard let text = view.text(of: value)?.lowercased() else { return nil }
        if Self.passing.contains(text) { return true }
        if Self.failing.contains(text) { return false }
        return nil
    }
}
