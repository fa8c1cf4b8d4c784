import Foundation

/// The body of a delivery in the endpoint's format (docs/webhooks.md), rendered once when
/// it is spooled, so that every attempt and every replay sends the same bytes.
struct PayloadRenderer: Sendable {
    let externalURL: String

    func body(_ event: DeliveryEvent, format: WebhookFormat, endpoint: String, resolveTimeout: Duration) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain structs of strings and numbers cannot fail.
        let data: Data?
        switch format {
        case .alertmanager: data = try? encoder.encode(webhookMessage(event, receiver: endpoint))
        case .alertmanagerAPI: data = try? encoder.encode([postableAlert(event, resolveTimeout: resolveTimeout)])
        case .json:
            switch event {
            case .escalated(let joined): data = try? encoder.encode(JSONEvent(joined))
            case .resolved(let joined, let ack, let endsAt):
                data = try? encoder.encode(JSONEvent(joined, acknowledgement: (ack, endsAt)))
            case .securityAlert(let alert): data = try? encoder.encode(SecurityAlertJSON(alert))
            }
        }
        return Array(data ?? Data("{}".utf8))
    }

    /// Alertmanager's webhook_config message, version 4, with one alert grouped by alert_id.
    func webhookMessage(_ event: DeliveryEvent, receiver: String) -> AlertmanagerWebhookMessage {
        let (labels, annotations, startsAt) = event.alert
        let status = event.isResolved ? "resolved" : "firing"
        let alert = AlertmanagerWebhookMessage.Alert(
            status: status, labels: labels, annotations: annotations, startsAt: RFC3339.format(startsAt),
            endsAt: endsAt(event).map(RFC3339.format) ?? RFC3339.zero, generatorURL: externalURL,
            fingerprint: Fingerprint.of(labels))
        let groupLabels = ["alert_id": event.alertID]
        return AlertmanagerWebhookMessage(
            version: "4", groupKey: "{}:{alert_id=\(Self.quoted(event.alertID))}", truncatedAlerts: 0,
            status: status, receiver: receiver, groupLabels: groupLabels, commonLabels: labels,
            commonAnnotations: annotations, externalURL: externalURL, alerts: [alert])
    }

    /// One alert of Alertmanager's PostableAlerts (`POST /api/v2/alerts`).
    func postableAlert(_ event: DeliveryEvent, resolveTimeout: Duration) -> PostableAlert {
        let (labels, annotations, startsAt) = event.alert
        let timeout = Double(resolveTimeout.components.seconds)
        return PostableAlert(
            labels: labels, annotations: annotations, startsAt: RFC3339.format(startsAt),
            endsAt: RFC3339.format(endsAt(event) ?? startsAt + timeout),
            generatorURL: externalURL.isEmpty ? nil : externalURL)
    }

    private func endsAt(_ event: DeliveryEvent) -> Double? {
        if case .resolved(_, _, let endsAt) = event { return endsAt }
        return nil
    }

    /// A Go-quoted string, as Alertmanager writes label values in group keys.
    static func quoted(_ text: String) -> String {
        var quoted = "\""
        for character in text.unicodeScalars {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            default: quoted.unicodeScalars.append(character)
            }
        }
        return quoted + "\""
    }
}

struct AlertmanagerWebhookMessage: Encodable, Equatable {
    struct Alert: Encodable, Equatable {
        let status: String
        let labels: [String: String]
        let annotations: [String: String]
        let startsAt: String
        let endsAt: String
        let generatorURL: String
        let fingerprint: String
    }

    let version: String
    let groupKey: String
    let truncatedAlerts: Int
    let status: String
    let receiver: String
    let groupLabels: [String: String]
    let commonLabels: [String: String]
    let commonAnnotations: [String: String]
    let externalURL: String
    let alerts: [Alert]
}

struct PostableAlert: Encodable, Equatable {
    let labels: [String: String]
    let annotations: [String: String]
    let startsAt: String
    let endsAt: String
    let generatorURL: String?
}
