import BEAMPeers
import Foundation
import Testing

@testable import GaterMessages
@testable import WebhookForwarder

extension Gater {
    static func securityAlert(
        type: String? = "brute_force", severity: String? = "critical", timestamp: Double? = 1_700_000_400.5
    ) -> SecurityAlert {
        SecurityAlert(
            alertType: type, severity: severity, description: "12 failed logins in 60 s", affectedUsers: 2,
            node: "ex_esdb@host-2", timestamp: timestamp)
    }
}

/// SecurityAlerts forwarded like escalations, to the endpoints whose `events` name them: each
/// format field by field, the selection and severity filter, and delivery over loopback.
@Suite struct SecurityAlertPayloadTests {
    let renderer = PayloadRenderer(externalURL: "http://exporter.test:9571")
    let facts = SecurityAlertFacts(Gater.securityAlert(), now: 0)

    func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    var expectedLabels: [String: String] {
        [
            "alertname": "ExESDBSecurityAlert", "alert_id": facts.alertID, "node": "ex_esdb@host-2",
            "type": "brute_force", "severity": "critical",
        ]
    }
    let expectedAnnotations = [
        "summary": "Security alert brute_force (critical) on ex_esdb@host-2", "description": "12 failed logins in 60 s",
        "affected_users": "2",
    ]

    @Test func theAlertIDIsStableAndTellsAlertsApart() {
        #expect(facts.alertID == SecurityAlertFacts(Gater.securityAlert(), now: 99).alertID)
        #expect(facts.alertID.hasPrefix("security-") && facts.alertID.count == 25)
        #expect(facts.alertID != SecurityAlertFacts(Gater.securityAlert(timestamp: 1_700_000_401), now: 0).alertID)
        #expect(facts.alertID != SecurityAlertFacts(Gater.securityAlert(type: "data_breach"), now: 0).alertID)
    }

    @Test func alertmanagerWebhookMessageFires() throws {
        let message = try object(
            renderer.body(.securityAlert(facts), format: .alertmanager, endpoint: "sec", resolveTimeout: .seconds(60)))
        #expect(message["version"] as? String == "4" && message["status"] as? String == "firing")
        #expect(message["groupKey"] as? String == "{}:{alert_id=\"\(facts.alertID)\"}")
        #expect(message["commonLabels"] as? [String: String] == expectedLabels)
        let alert = try #require((message["alerts"] as? [[String: Any]])?.first)
        #expect(alert["labels"] as? [String: String] == expectedLabels)
        #expect(alert["annotations"] as? [String: String] == expectedAnnotations)
        #expect(alert["startsAt"] as? String == "2023-11-14T22:20:00.500Z")
        #expect(alert["endsAt"] as? String == "0001-01-01T00:00:00Z")
        #expect(alert["fingerprint"] as? String == Fingerprint.of(expectedLabels))
    }

    @Test func postableAlertEndsAfterTheResolveTimeout() throws {
        let body = renderer.body(
            .securityAlert(facts), format: .alertmanagerAPI, endpoint: "am", resolveTimeout: .seconds(3600))
        let alerts = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]])
        #expect(alerts.count == 1 && alerts[0]["labels"] as? [String: String] == expectedLabels)
        #expect(alerts[0]["startsAt"] as? String == "2023-11-14T22:20:00.500Z")
        #expect(alerts[0]["endsAt"] as? String == "2023-11-14T23:20:00.500Z")
    }

    @Test func jsonCarriesTheGatersFieldsButNoIdsOrAddresses() throws {
        let json = try object(
            renderer.body(.securityAlert(facts), format: .json, endpoint: "j", resolveTimeout: .seconds(60)))
        #expect(Set(json.keys) == ["event", "node", "security_alert"])
        #expect(json["event"] as? String == "security_alert" && json["node"] as? String == "ex_esdb@host-2")
        let alert = try #require(json["security_alert"] as? [String: Any])
        #expect(Set(alert.keys) == ["alert_type", "severity", "description", "affected_users", "timestamp"])
        #expect(alert["affected_users"] as? Int == 2 && alert["timestamp"] as? String == "2023-11-14T22:20:00.500Z")
    }

    /// `events` selects; `min_severity` reads low, medium, high, critical as info ... critical.
    @Test func endpointsTakeWhatTheirEventsNameAndAreSevereEnough() throws {
        func route(_ configure: (inout WebhookEndpointConfiguration) -> Void) throws -> EndpointRoute {
            try EndpointRoute(endpoint("e", "http://127.0.0.1:9/", configure: configure), index: 0)
        }
        let joined = JoinedEscalation(
            escalation: Gater.escalation(), alert: Gater.alert(), node: "ex_esdb@host-1", startsAt: 0)
        let defaults = try route { _ in }
        #expect(defaults.accepts(joined) && !defaults.accepts(facts), "escalations only, by default")
        let security = try route { $0.events = [.securityAlert] }
        #expect(!security.accepts(joined) && security.accepts(facts))
        let both = try route {
            $0.events = [.alertEscalated, .securityAlert]
            $0.minSeverity = .error
        }
        #expect(both.accepts(joined) && both.accepts(facts))
        let high = SecurityAlertFacts(Gater.securityAlert(severity: "high"), now: 0)
        let medium = SecurityAlertFacts(Gater.securityAlert(severity: "medium"), now: 0)
        let odd = SecurityAlertFacts(Gater.securityAlert(severity: "catastrophic"), now: 0)
        #expect(both.accepts(high) && !both.accepts(medium) && both.accepts(odd))
    }
}

extension LoopbackTests {
    @Suite struct SecurityAlertDeliveryTests {
        /// Two endpoints: the default one gets the escalation only, the one naming both events gets
        /// both, spooled and counted like any delivery.
        @Test func aSecurityAlertReachesTheEndpointsThatAskForIt() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([
                endpoint("oncall", receiver.url + "/oncall", format: .alertmanager),
                endpoint("security", receiver.url + "/security", format: .json) {
                    $0.events = [.alertEscalated, .securityAlert]
                },
            ])
            let task = running(forwarder)
            defer { task.cancel() }
            #expect(forwarder.submit(.securityAlert(Gater.securityAlert()), from: "ex_esdb@host-9"))
            let outcome = await forwarder.receive(.securityAlert(Gater.securityAlert()), from: "ex_esdb@host-9")
            #expect(outcome == .spooled(endpoints: ["security"]))
            await forwarder.receive(.alertEscalation(Gater.escalation()), from: "ex_esdb@host-9")
            let requests = try await receiver.waitForRequests(4)
            #expect(requests.filter { $0.uri == "/oncall" }.count == 1)
            let security = requests.filter { $0.uri == "/security" }
            let events = security.compactMap { (try? $0.json() as? [String: Any])?["event"] as? String }
            #expect(events.sorted() == ["escalated", "security_alert", "security_alert"])
            let keys = Set(
                security.filter { (try? $0.json() as? [String: Any])?["event"] as? String == "security_alert" }
                    .compactMap { $0.header(RequestSigning.idempotencyHeader) })
            #expect(keys.count == 1, "the same alert twice has one idempotency key: a receiver can drop the repeat")
            try await eventually("counted as delivered") {
                setup.count("security", .delivered) == 3 && setup.count("oncall", .delivered) == 1
            }
        }
    }
}
