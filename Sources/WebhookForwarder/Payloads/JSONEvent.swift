import GaterMessages

/// The `json` format: the escalation and its joined alert with the Gater's own field names, and
/// for a resolution the acknowledgement.
///
/// `{"event": "escalated" | "resolved", "node": ..., "escalation": {...}, "alert": {...} | null,
///   "acknowledgement": {...} | null}`
struct JSONEvent: Encodable {
    let event: String
    let node: String
    let escalation: Escalation
    let alert: Alert?
    let acknowledgement: Acknowledgement?

    enum CodingKeys: String, CodingKey { case event, node, escalation, alert, acknowledgement }

    /// Absent parts are written as null, so every body has the same keys.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(event, forKey: .event)
        try container.encode(node, forKey: .node)
        try container.encode(escalation, forKey: .escalation)
        try container.encode(alert, forKey: .alert)
        try container.encode(acknowledgement, forKey: .acknowledgement)
    }

    /// An escalation, or with `acknowledgement` (and when it ends) its resolution.
    init(_ joined: JoinedEscalation, acknowledgement ack: (AlertAcknowledgement, endsAt: Double)? = nil) {
        node = joined.node
        escalation = Escalation(joined.escalation, startsAt: joined.startsAt)
        alert = joined.alert.map(Alert.init)
        event = ack == nil ? "escalated" : "resolved"
        acknowledgement = ack.map { Acknowledgement($0.0, endsAt: $0.endsAt) }
    }

    struct Escalation: Encodable {
        let alertID, fromLevel, toLevel, escalationReason, escalatedBy: String
        let notifyContacts: [String]
        let timestamp: String

        init(_ escalation: EscalationFacts, startsAt: Double) {
            alertID = escalation.alertID
            fromLevel = escalation.fromLevel
            toLevel = escalation.toLevel
            escalationReason = escalation.reason
            escalatedBy = escalation.escalatedBy
            notifyContacts = escalation.notifyContacts
            timestamp = RFC3339.format(escalation.timestamp ?? startsAt)
        }

        enum CodingKeys: String, CodingKey {
            case alertID = "alert_id", fromLevel = "from_level", toLevel = "to_level"
            case escalationReason = "escalation_reason", escalatedBy = "escalated_by"
            case notifyContacts = "notify_contacts", timestamp
        }
    }

    struct Alert: Encodable {
        let alertID, severity, category, title, description, source, node: String
        let requiresAck: Bool
        let timestamp: String?

        init(_ alert: AlertFacts) {
            alertID = alert.alertID
            severity = alert.severity
            category = alert.category
            title = alert.title
            description = alert.description
            source = alert.source
            node = alert.node
            requiresAck = alert.requiresAcknowledgement
            timestamp = alert.timestamp.map(RFC3339.format)
        }

        enum CodingKeys: String, CodingKey {
            case alertID = "alert_id", severity, category, title, description, source, node
            case requiresAck = "requires_ack", timestamp
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            for (key, value) in [
                (CodingKeys.alertID, alertID), (.severity, severity), (.category, category), (.title, title),
                (.description, description), (.source, source), (.node, node),
            ] {
                try container.encode(value, forKey: key)
            }
            try container.encode(requiresAck, forKey: .requiresAck)
            try container.encode(timestamp, forKey: .timestamp)
        }
    }

    struct Acknowledgement: Encodable {
        let alertID, ackBy: String
        let ackNote, resolution: String?
        let timestamp: String

        init(_ ack: AlertAcknowledgement, endsAt: Double) {
            alertID = ack.alertID
            ackBy = ack.acknowledgedBy
            ackNote = ack.note
            resolution = ack.resolution
            timestamp = RFC3339.format(endsAt)
        }

        enum CodingKeys: String, CodingKey {
            case alertID = "alert_id", ackBy = "ack_by", ackNote = "ack_note", resolution, timestamp
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(alertID, forKey: .alertID)
            try container.encode(ackBy, forKey: .ackBy)
            try container.encode(ackNote, forKey: .ackNote)
            try container.encode(resolution, forKey: .resolution)
            try container.encode(timestamp, forKey: .timestamp)
        }
    }
}

/// The `json` format of a security alert:
/// `{"event": "security_alert", "node": ..., "security_alert": {"alert_type", "severity",
///   "description", "affected_users", "timestamp"}}`.
struct SecurityAlertJSON: Encodable {
    let event = "security_alert"
    let node: String
    let securityAlert: Body

    init(_ alert: SecurityAlertFacts) {
        node = alert.node
        securityAlert = Body(
            alertType: alert.alertType, severity: alert.severity, description: alert.description,
            affectedUsers: alert.affectedUsers, timestamp: RFC3339.format(alert.startsAt))
    }

    enum CodingKeys: String, CodingKey { case event, node, securityAlert = "security_alert" }

    struct Body: Encodable {
        let alertType, severity, description: String
        let affectedUsers: Int
        let timestamp: String

        enum CodingKeys: String, CodingKey {
            case alertType = "alert_type", severity, description, affectedUsers = "affected_users", timestamp
        }
    }
}
