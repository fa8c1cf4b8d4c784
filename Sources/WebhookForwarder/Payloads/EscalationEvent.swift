import GaterMessages

/// An escalation joined with its SystemAlert, as it goes out to one endpoint.
struct JoinedEscalation: Sendable, Equatable {
    let escalation: AlertEscalation
    /// nil when the SystemAlert was not seen (before this exporter started, or expired from the cache).
    let alert: SystemAlert?
    /// The node the alert is about: the alert's, else the node that broadcast the escalation.
    let node: String
    /// When the escalation happened (Unix seconds): its timestamp, else when it arrived.
    let startsAt: Double

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

/// What a delivery tells the endpoint: an escalation fires, or an acknowledgement resolves it.
enum DeliveryEvent: Sendable, Equatable {
    case escalated(JoinedEscalation)
    /// `endsAt`: when it was acknowledged (Unix seconds).
    case resolved(JoinedEscalation, AlertAcknowledgement, endsAt: Double)

    var joined: JoinedEscalation {
        switch self {
        case .escalated(let joined), .resolved(let joined, _, _): joined
        }
    }

    var isResolved: Bool {
        if case .resolved = self { return true }
        return false
    }
}
