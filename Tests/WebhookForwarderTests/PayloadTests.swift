import Foundation
import Testing

@testable import GaterMessages
@testable import WebhookForwarder

/// Each format, field by field, against its specification: Alertmanager's webhook_config
/// message (version 4), Alertmanager's PostableAlerts, and the Gater's own field names.
@Suite struct PayloadTests {
    let renderer = PayloadRenderer(externalURL: "http://exporter.test:9571")
    let joined = JoinedEscalation(
        escalation: Gater.escalation(), alert: Gater.alert(), node: "ex_esdb@host-1", startsAt: 1_700_000_300.5)

    func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    let expectedLabels = [
        "alertname": "ExESDBAlertEscalated", "alert_id": "alert-1", "node": "ex_esdb@host-1", "severity": "critical",
        "category": "network", "from_level": "level1", "to_level": "level2",
    ]
    let expectedAnnotations = [
        "summary": "Node down", "description": "ex_esdb@host-3 unreachable", "reason": "no ack in 5m",
        "contacts": "ops@example.com, sre@example.com", "escalated_by": "escalation_manager",
        "source": "cluster_monitor",
    ]

    @Test func alertmanagerWebhookMessageVersion4() throws {
        let body = renderer.body(
            .escalated(joined), format: .alertmanager, endpoint: "oncall", resolveTimeout: .seconds(60))
        let message = try object(body)
        #expect(
            Set(message.keys) == [
                "version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels", "commonLabels",
                "commonAnnotations", "externalURL", "alerts",
            ])
        #expect(message["version"] as? String == "4")
        #expect(message["groupKey"] as? String == "{}:{alert_id=\"alert-1\"}")
        #expect(message["truncatedAlerts"] as? Int == 0)
        #expect(message["status"] as? String == "firing")
        #expect(message["receiver"] as? String == "oncall")
        #expect(message["groupLabels"] as? [String: String] == ["alert_id": "alert-1"])
        #expect(message["commonLabels"] as? [String: String] == expectedLabels)
        #expect(message["commonAnnotations"] as? [String: String] == expectedAnnotations)
        #expect(message["externalURL"] as? String == "http://exporter.test:9571")
        let alerts = try #require(message["alerts"] as? [[String: Any]])
        #expect(alerts.count == 1)
        let alert = alerts[0]
        #expect(
            Set(alert.keys) == ["status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"])
        #expect(alert["status"] as? String == "firing")
        #expect(alert["labels"] as? [String: String] == expectedLabels)
        #expect(alert["annotations"] as? [String: String] == expectedAnnotations)
        #expect(alert["startsAt"] as? String == "2023-11-14T22:18:20.500Z")
        #expect(alert["endsAt"] as? String == "0001-01-01T00:00:00Z", "Go's zero time while firing, as Alertmanager")
        #expect(alert["generatorURL"] as? String == "http://exporter.test:9571")
        #expect(alert["fingerprint"] as? String == Fingerprint.of(expectedLabels))
    }

    @Test func alertmanagerResolvedCarriesTheSameLabelsAndEndsAt() throws {
        let event = DeliveryEvent.resolved(joined, Gater.ack(), endsAt: 1_700_000_600.75)
        let message = try object(
            renderer.body(event, format: .alertmanager, endpoint: "oncall", resolveTimeout: .seconds(60)))
        #expect(message["status"] as? String == "resolved")
        let alert = try #require((message["alerts"] as? [[String: Any]])?.first)
        #expect(alert["status"] as? String == "resolved")
        #expect(alert["labels"] as? [String: String] == expectedLabels)
        #expect(alert["startsAt"] as? String == "2023-11-14T22:18:20.500Z")
        #expect(alert["endsAt"] as? String == "2023-11-14T22:23:20.750Z")
        #expect(alert["fingerprint"] as? String == Fingerprint.of(expectedLabels))
    }

    @Test func postableAlertsForTheAlertmanagerAPI() throws {
        let firing = renderer.body(
            .escalated(joined), format: .alertmanagerAPI, endpoint: "am", resolveTimeout: .seconds(3600))
        let alerts = try #require(try JSONSerialization.jsonObject(with: Data(firing)) as? [[String: Any]])
        #expect(alerts.count == 1)
        let alert = alerts[0]
        #expect(Set(alert.keys) == ["labels", "annotations", "startsAt", "endsAt", "generatorURL"])
        #expect(alert["labels"] as? [String: String] == expectedLabels)
        #expect(alert["annotations"] as? [String: String] == expectedAnnotations)
        #expect(alert["startsAt"] as? String == "2023-11-14T22:18:20.500Z")
        #expect(alert["endsAt"] as? String == "2023-11-14T23:18:20.500Z", "startsAt + resolve_timeout")
        #expect(alert["generatorURL"] as? String == "http://exporter.test:9571")
        let resolved = renderer.body(
            .resolved(joined, Gater.ack(), endsAt: 1_700_000_600.75), format: .alertmanagerAPI, endpoint: "am",
            resolveTimeout: .seconds(3600))
        let ended = try #require((try JSONSerialization.jsonObject(with: Data(resolved)) as? [[String: Any]])?.first)
        #expect(ended["endsAt"] as? String == "2023-11-14T22:23:20.750Z")
        #expect(ended["labels"] as? [String: String] == expectedLabels)
    }

    @Test func jsonCarriesTheEscalationAndTheJoinedAlertInSnakeCase() throws {
        let event = try object(
            renderer.body(.escalated(joined), format: .json, endpoint: "hook", resolveTimeout: .zero))
        #expect(Set(event.keys) == ["event", "node", "escalation", "alert", "acknowledgement"])
        #expect(event["event"] as? String == "escalated")
        #expect(event["node"] as? String == "ex_esdb@host-1")
        #expect(event["acknowledgement"] is NSNull)
        let escalation = try #require(event["escalation"] as? [String: Any])
        #expect(escalation["alert_id"] as? String == "alert-1")
        #expect(escalation["from_level"] as? String == "level1")
        #expect(escalation["to_level"] as? String == "level2")
        #expect(escalation["escalation_reason"] as? String == "no ack in 5m")
        #expect(escalation["escalated_by"] as? String == "escalation_manager")
        #expect(escalation["notify_contacts"] as? [String] == ["ops@example.com", "sre@example.com"])
        #expect(escalation["timestamp"] as? String == "2023-11-14T22:18:20.500Z")
        let alert = try #require(event["alert"] as? [String: Any])
        #expect(
            Set(alert.keys) == [
                "alert_id", "severity", "category", "title", "description", "source", "node", "requires_ack",
                "timestamp",
            ])
        #expect(alert["alert_id"] as? String == "alert-1")
        #expect(alert["severity"] as? String == "critical")
        #expect(alert["category"] as? String == "network")
        #expect(alert["title"] as? String == "Node down")
        #expect(alert["description"] as? String == "ex_esdb@host-3 unreachable")
        #expect(alert["source"] as? String == "cluster_monitor")
        #expect(alert["node"] as? String == "ex_esdb@host-1")
        #expect(alert["requires_ack"] as? Bool == true)
        #expect(alert["timestamp"] as? String == "2023-11-14T22:13:20.250Z")

        let resolved = try object(
            renderer.body(
                .resolved(joined, Gater.ack(), endsAt: 1_700_000_600.75), format: .json, endpoint: "hook",
                resolveTimeout: .zero))
        #expect(resolved["event"] as? String == "resolved")
        let ack = try #require(resolved["acknowledgement"] as? [String: Any])
        #expect(Set(ack.keys) == ["alert_id", "ack_by", "ack_note", "resolution", "timestamp"])
        #expect(ack["alert_id"] as? String == "alert-1")
        #expect(ack["ack_by"] as? String == "oncall")
        #expect(ack["ack_note"] as? String == "looking")
        #expect(ack["resolution"] is NSNull)
        #expect(ack["timestamp"] as? String == "2023-11-14T22:23:20.750Z")
    }

    /// The json bodies byte for byte (keys sorted), as receivers have been sent them: escalated,
    /// resolved, and without the joined alert.
    @Test func jsonBodiesAreByteForByteAsBefore() throws {
        let alone = JoinedEscalation(
            escalation: Gater.escalation(), alert: nil, node: "ex_esdb@host-2", startsAt: 1_700_000_300.5)
        let bodies = [
            DeliveryEvent.escalated(joined), .resolved(joined, Gater.ack(), endsAt: 1_700_000_600.75),
            .escalated(alone),
        ].map {
            String(decoding: renderer.body($0, format: .json, endpoint: "hook", resolveTimeout: .zero), as: UTF8.self)
        }
        #expect(bodies.count == 3)
        for (body, expected) in zip(bodies, Self.jsonBodies) { #expect(body == expected) }
    }

    /// What the json format wrote before its body was written straight from the joined escalation.
    static let jsonBodies = [
        #"{"acknowledgement":null,"alert":{"alert_id":"alert-1","category":"network","description":"ex_esdb@host-3 unreachable","node":"ex_esdb@host-1","requires_ack":true,"severity":"critical","source":"cluster_monitor","timestamp":"2023-11-14T22:13:20.250Z","title":"Node down"},"escalation":{"alert_id":"alert-1","escalated_by":"escalation_manager","escalation_reason":"no ack in 5m","from_level":"level1","notify_contacts":["ops@example.com","sre@example.com"],"timestamp":"2023-11-14T22:18:20.500Z","to_level":"level2"},"event":"escalated","node":"ex_esdb@host-1"}"#,
        #"{"acknowledgement":{"ack_by":"oncall","ack_note":"looking","alert_id":"alert-1","resolution":null,"timestamp":"2023-11-14T22:23:20.750Z"},"alert":{"alert_id":"alert-1","category":"network","description":"ex_esdb@host-3 unreachable","node":"ex_esdb@host-1","requires_ack":true,"severity":"critical","source":"cluster_monitor","timestamp":"2023-11-14T22:13:20.250Z","title":"Node down"},"escalation":{"alert_id":"alert-1","escalated_by":"escalation_manager","escalation_reason":"no ack in 5m","from_level":"level1","notify_contacts":["ops@example.com","sre@example.com"],"timestamp":"2023-11-14T22:18:20.500Z","to_level":"level2"},"event":"resolved","node":"ex_esdb@host-1"}"#,
        #"{"acknowledgement":null,"alert":null,"escalation":{"alert_id":"alert-1","escalated_by":"escalation_manager","escalation_reason":"no ack in 5m","from_level":"level1","notify_contacts":["ops@example.com","sre@example.com"],"timestamp":"2023-11-14T22:18:20.500Z","to_level":"level2"},"event":"escalated","node":"ex_esdb@host-2"}"#,
    ]

    @Test func anEscalationWithoutItsAlertNamesTheSendingNodeAndOmitsUnknownLabels() throws {
        let alone = JoinedEscalation(
            escalation: Gater.escalation(), alert: nil, node: "ex_esdb@host-2", startsAt: 1_700_000_300.5)
        #expect(
            alone.labels == [
                "alertname": "ExESDBAlertEscalated", "alert_id": "alert-1", "node": "ex_esdb@host-2",
                "from_level": "level1", "to_level": "level2",
            ])
        #expect(alone.annotations["summary"] == "Alert alert-1 escalated to level2")
        let event = try object(renderer.body(.escalated(alone), format: .json, endpoint: "hook", resolveTimeout: .zero))
        #expect(event["alert"] is NSNull)
    }

    @Test func fingerprintIsAlertmanagersFNV1aOverSortedLabels() {
        // The empty label set hashes to FNV-1a's offset basis; one label by hand.
        #expect(Fingerprint.of([:]) == "cbf29ce484222325")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array("a".utf8) + [0xff] + Array("b".utf8) + [0xff] {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        #expect(Fingerprint.of(["a": "b"]) == String(format: "%016llx", hash))
        #expect(Fingerprint.of(["x": "1", "a": "2"]) != Fingerprint.of(["a": "1", "x": "2"]))
    }

    @Test func idempotencyKeysDependOnAlertLevelEndpointAndStateOnly() {
        let key = RequestSigning.idempotencyKey(
            alertID: "alert-1", toLevel: "level2", endpoint: "oncall", resolved: false)
        #expect(key.count == 32)
        #expect(
            key
                == RequestSigning.idempotencyKey(
                    alertID: "alert-1", toLevel: "level2", endpoint: "oncall", resolved: false))
        let others = [
            RequestSigning.idempotencyKey(alertID: "alert-2", toLevel: "level2", endpoint: "oncall", resolved: false),
            RequestSigning.idempotencyKey(alertID: "alert-1", toLevel: "level3", endpoint: "oncall", resolved: false),
            RequestSigning.idempotencyKey(alertID: "alert-1", toLevel: "level2", endpoint: "other", resolved: false),
            RequestSigning.idempotencyKey(alertID: "alert-1", toLevel: "level2", endpoint: "oncall", resolved: true),
        ]
        #expect(Set(others + [key]).count == 5)
        // Pinned (sha256 of "exesdb_exporter/1\0alert-1\0level2\0oncall\0firing", computed with
        // Python's hashlib): replicas and restarts, of this version or a later one, send the same key.
        #expect(key == "cac37c5d21502e82fa080373e83763ea")
    }

    @Test func timestampsAreRFC3339InUTCWithMilliseconds() {
        #expect(RFC3339.format(0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.format(1_700_000_300.5) == "2023-11-14T22:18:20.500Z")
        #expect(RFC3339.format(951_782_400.999) == "2000-02-29T00:00:00.999Z")
    }
}
