import Crypto
import GaterMessages

/// What the forwarder sends of a SecurityAlert (ExESDBGater's security bus): an event, not a
/// state, so it fires and is never resolved (with `alertmanager_api`, Alertmanager resolves it
/// after the endpoint's `resolve_timeout`). User ids and the source IP are left out: they are
/// personal data, and the description says what the publisher chose to say.
struct SecurityAlertFacts: Sendable, Equatable, Codable {
    var alertType: String
    var severity: String
    var description: String
    var affectedUsers: Int
    var node: String
    /// When it was raised (Unix seconds): its timestamp, else when it arrived.
    var startsAt: Double

    init(_ alert: SecurityAlert, now: Double) {
        alertType = alert.alertType ?? "unknown"
        severity = alert.severity ?? "unknown"
        description = alert.description
        affectedUsers = alert.affectedUsers
        node = alert.node
        startsAt = alert.timestamp ?? now
    }

    /// What the spool and the log know it by, the same for the same alert on every replica and
    /// after every restart: a hash of what it says.
    var alertID: String {
        let text = ["security_alert", node, alertType, severity, "\(startsAt)", description].joined(separator: "\u{0}")
        return "security-" + RequestSigning.hex(SHA256.hash(data: Array(text.utf8))).prefix(16)
    }

    /// alertname, node, type, severity: the same alert on a replica is the same Alertmanager alert.
    var labels: [String: String] {
        [
            "alertname": "ExESDBSecurityAlert", "alert_id": alertID, "node": node, "type": alertType,
            "severity": severity,
        ]
    }

    var annotations: [String: String] {
        [
            "summary": "Security alert \(alertType) (\(severity)) on \(node)", "description": description,
            "affected_users": "\(affectedUsers)",
        ].filter { !$0.value.isEmpty }
    }

    /// Its severity on the scale `min_severity` uses: low is info, medium warning, high error.
    var scaledSeverity: AlertSeverity? {
        switch severity {
        case "low": .info
        case "medium": .warning
        case "high": .error
        case "critical": .critical
        default: nil
        }
    }
}
