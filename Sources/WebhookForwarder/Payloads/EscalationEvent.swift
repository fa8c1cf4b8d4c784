import GaterMessages

/// What the forwarder keeps of an AlertEscalation: the Gater's fields, in a form it can also
/// write to the spool and read back after a restart.
struct EscalationFacts: Sendable, Equatable, Codable {
    var alertID: String
    var fromLevel: String
    var toLevel: String
    var reason: String
    var escalatedBy: String
    var notifyContacts: [String]
    var timestamp: Double?

    init(_ escalation: AlertEscalation) {
        alertID = escalation.alertID
        fromLevel = escalation.fromLevel
        toLevel = escalation.toLevel
        reason = escalation.reason
        escalatedBy = escalation.escalatedBy
        notifyContacts = escalation.notifyContacts
        timestamp = escalation.timestamp
    }
}

/// What the forwarder keeps of a SystemAlert to join it with its escalations.
struct AlertFacts: Sendable, Equatable, Codable {
    var alertID: String
    var severity: String
    var category: String
    var title: String
    var description: String
    var source: String
    var node: String
    var requiresAcknowledgement: Bool
    var timestamp: Double?

    /// A joined alert, found by its id: it has one.
    init(_ alert: SystemAlert) {
        alertID = alert.alertID ?? ""
        severity = alert.severity
        category = alert.category
        title = alert.title
        description = alert.description
        source = alert.source
        node = alert.node
        requiresAcknowledgement = alert.requiresAcknowledgement
        timestamp = alert.timestamp
    }
}

/// An escalation joined with its SystemAlert, as it goes out to the endpoints.
struct JoinedEscalation: Sendable, Equatable, Codable {
    let escalation: EscalationFacts
    /// nil when the SystemAlert was not seen (before this exporter started, or expired from the cache).
    let alert: AlertFacts?
    /// The node the alert is about: the alert's, else the node that broadcast the escalation.
    let node: String
    /// When the escalation happened (Unix seconds): its timestamp, else when it arrived.
    let startsAt: Double

    init(escalation: EscalationFacts, alert: AlertFacts?, node: String, startsAt: Double) {
        self.escalation = escalation
        self.alert = alert
        self.node = node
        self.startsAt = startsAt
    }

    init(escalation: AlertEscalation, alert: SystemAlert?, node: String, startsAt: Double) {
        self.init(
            escalation: EscalationFacts(escalation), alert: alert.map(AlertFacts.init), node: node, startsAt: startsAt)
    }

    /// alertname, alert_id, node, severity, category, from_level, to_level; the labels that
    /// identify the alert in Alertmanager (its fingerprint), so the resolved state matches.
    var labels: [String: String] {
        var labels = [
            "alertname": "ExESDBAlertEscalated", "alert_id": escalation.alertID, "node": node,
            "from_level": escalation.fromLevel, "to_level": escalation.toLevel,
        ]
        if let alert {
            labels["severity"] = alert.severity
            labels["category"] = alert.category
        }
        return labels.filter { !$0.value.isEmpty }
    }

    /// summary, description, reason, contacts, escalated_by, source.
    var annotations: [String: String] {
        var annotations = [
            "summary": alert?.title ?? "Alert \(escalation.alertID) escalated to \(escalation.toLevel)",
            "reason": escalation.reason, "contacts": escalation.notifyContacts.joined(separator: ", "),
            "escalated_by": escalation.escalatedBy,
        ]
        if let alert {
            annotations["description"] = alert.description
            annotations["source"] = alert.source
        }
        return annotations.filter { !$0.value.isEmpty }
    }

    var severity: AlertSeverity? { alert.flatMap { AlertSeverity(rawValue: $0.severity) } }
}

/// What a delivery tells the endpoint: an escalation fires, an acknowledgement resolves it, or a
/// security alert fires.
enum DeliveryEvent: Sendable, Equatable {
    case escalated(JoinedEscalation)
    /// `endsAt`: when it was acknowledged (Unix seconds).
    case resolved(JoinedEscalation, AlertAcknowledgement, endsAt: Double)
    case securityAlert(SecurityAlertFacts)

    var isResolved: Bool {
        if case .resolved = self { return true }
        return false
    }

    /// The id the spool and the log know it by.
    var alertID: String {
        switch self {
        case .escalated(let joined), .resolved(let joined, _, _): joined.escalation.alertID
        case .securityAlert(let alert): alert.alertID
        }
    }

    /// The delivery's `Idempotency-Key` for `endpoint`.
    func idempotencyKey(endpoint: String) -> String {
        switch self {
        case .escalated(let joined), .resolved(let joined, _, _):
            RequestSigning.idempotencyKey(
                alertID: joined.escalation.alertID, toLevel: joined.escalation.toLevel, endpoint: endpoint,
                resolved: isResolved)
        case .securityAlert(let alert):
            RequestSigning.idempotencyKey(alertID: alert.alertID, toLevel: "", endpoint: endpoint, resolved: false)
        }
    }

    /// Labels, annotations and when it starts, as both Alertmanager formats carry them.
    var alert: (labels: [String: String], annotations: [String: String], startsAt: Double) {
        switch self {
        case .escalated(let joined), .resolved(let joined, _, _): (joined.labels, joined.annotations, joined.startsAt)
        case .securityAlert(let alert): (alert.labels, alert.annotations, alert.startsAt)
        }
    }
}
