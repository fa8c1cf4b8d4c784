/// The decoders of the `ex_esdb_audit` and `ex_esdb_security` payloads. An audit record or a
/// security alert counts whatever its fields hold (an enumeration that is no text reads as
/// `other` in the metrics); an authentication or session event needs its event type.
extension GaterDecoder {
    /// Longer descriptions are cut: a description is only forwarded to webhooks, never a label.
    static let maxDescriptionBytes = 1024

    static func dataChange<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .dataChange(
            DataChange(
                resourceType: f.text(.resourceType), action: f.text(.action), node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }

    static func adminAction<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .adminAction(
            AdminAction(
                actionType: f.text(.actionType), node: f.text(.node) ?? sender, timestamp: f.timestamp(.timestamp)))
    }

    static func accessLog<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .accessLog(
            AccessLog(
                resourceType: f.text(.resourceType), action: f.text(.action), success: f.bool(.success),
                durationMilliseconds: f.double(.durationMs), node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }

    static func complianceEvent<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .complianceEvent(
            ComplianceEvent(
                eventType: f.text(.eventType), automated: f.bool(.automated), node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }

    static func authEvent<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let event = f.text(.eventType) else { return nil }
        return .authEvent(
            AuthEvent(
                eventType: event, method: f.text(.authMethod), node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }

    static func accessViolation<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .accessViolation(
            AccessViolation(
                violationType: f.text(.violationType), severity: f.text(.severity), node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }

    static func securityAlert<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .securityAlert(
            SecurityAlert(
                alertType: f.text(.alertType), severity: f.text(.severity),
                description: capped(f.text(.description) ?? "", maxDescriptionBytes),
                affectedUsers: f.count(.affectedUsers) ?? 0, node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }

    static func sessionEvent<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let event = f.text(.eventType) else { return nil }
        return .sessionEvent(
            SessionEvent(
                eventType: event, durationMilliseconds: f.double(.durationMs), node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }

    /// `text` cut to at most `limit` bytes of UTF-8, never inside a character's bytes.
    static func capped(_ text: String, _ limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let bytes = Array(text.utf8)
        var end = limit
        // A continuation byte (10xxxxxx) at the cut belongs to the character before it.
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
