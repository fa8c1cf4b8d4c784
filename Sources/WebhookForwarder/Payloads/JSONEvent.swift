import GaterMessages

/// The `json` format: the escalation and its joined alert with the Gater's own field names, and
/// for a resolution the acknowledgement.
///
/// `{"event": "escalated" | "resolved", "node": ..., "escalation": {...}, "alert": {...} | null,
///   "acknowledgement": {...} | null}`
///
/// Written field by field from the joined escalation itself: the facts are not copied into a
/// second set of structs first (only the names and the timestamps' form are the body's own).
struct JSONEvent: Encodable {
    let joined: JoinedEscalation
    let acknowledgement: (ack: AlertAcknowledgement, endsAt: Double)?

    /// An escalation, or with `acknowledgement` (and when it ends) its resolution.
    init(_ joined: JoinedEscalation, acknowledgement: (AlertAcknowledgement, endsAt: Double)? = nil) {
        self.joined = joined
        self.acknowledgement = acknowledgement.map { (ack: $0.0, endsAt: $0.endsAt) }
    }

    enum CodingKeys: String, CodingKey { case event, node, escalation, alert, acknowledgement }

    enum EscalationKeys: String, CodingKey {
        case alertID = "alert_id", fromLevel = "from_level", toLevel = "to_level"
        case escalationReason = "escalation_reason", escalatedBy = "escalated_by"
        case notifyContacts = "notify_contacts", timestamp
    }

    enum AlertKeys: String, CodingKey {
        case alertID = "alert_id", severity, category, title, description, source, node
        case requiresAck = "requires_ack", timestamp
    }

    enum AcknowledgementKeys: String, CodingKey {
        case alertID = "alert_id", ackBy = "ack_by", ackNote = "ack_note", resolution, timestamp
    }

    /// Absent parts are written as null, so every body has the same keys.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(acknowledgement == nil ? "escalated" : "resolved", forKey: .event)
        try container.encode(joined.node, forKey: .node)
        try encodeEscalation(into: container.nestedContainer(keyedBy: EscalationKeys.self, forKey: .escalation))
        if let alert = joined.alert {
            try encode(alert, into: container.nestedContainer(keyedBy: AlertKeys.self, forKey: .alert))
        } else {
            try container.encodeNil(forKey: .alert)
        }
        if let acknowledgement {
            try encode(
                acknowledgement,
                into: container.nestedContainer(keyedBy: AcknowledgementKeys.self, forKey: .acknowledgement))
        } else {
            try container.encodeNil(forKey: .acknowledgement)
        }
    }

    private func encodeEscalation(into container: KeyedEncodingContainer<EscalationKeys>) throws {
        var container = container
        let escalation = joined.escalation
        for (key, value) in [
            (EscalationKeys.alertID, escalation.alertID), (.fromLevel, escalation.fromLevel),
            (.toLevel, escalation.toLevel), (.escalationReason, escalation.reason),
            (.escalatedBy, escalation.escalatedBy),
        ] {
            try container.encode(value, forKey: key)
        }
        try container.encode(escalation.notifyContacts, forKey: .notifyContacts)
        try container.encode(RFC3339.format(escalation.timestamp ?? joined.startsAt), forKey: .timestamp)
    }

    private func encode(_ alert: AlertFacts, into container: KeyedEncodingContainer<AlertKeys>) throws {
        var container = container
        for (key, value) in [
            (AlertKeys.alertID, alert.alertID), (.severity, alert.severity), (.category, alert.category),
            (.title, alert.title), (.description, alert.description), (.source, alert.source), (.node, alert.node),
        ] {
            try container.encode(value, forKey: key)
        }
        try container.encode(alert.requiresAcknowledgement, forKey: .requiresAck)
        try container.encode(alert.timestamp.map(RFC3339.format), forKey: .timestamp)
    }

    private func encode(
        _ acknowledgement: (ack: AlertAcknowledgement, endsAt: Double),
        into container: KeyedEncodingContainer<AcknowledgementKeys>
    ) throws {
        var container = container
        let ack = acknowledgement.ack
        try container.encode(ack.alertID, forKey: .alertID)
        try container.encode(ack.acknowledgedBy, forKey: .ackBy)
        try container.encode(ack.note, forKey: .ackNote)
        try container.encode(ack.resolution, forKey: .resolution)
        try container.encode(RFC3339.format(acknowledgement.endsAt), forKey: .timestamp)
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
