import BEAMPeers
import Foundation
import Testing

@testable import GaterMessages
@testable import WebhookForwarder

extension LoopbackTests {
    /// A real Alertmanager (Debian's prometheus-alertmanager 0.25) on loopback: `alertmanager_api`
    /// alerts appear in its API with our fingerprint, its routing notifies its own webhook receiver
    /// (our test receiver) with a message our `alertmanager` format matches field by field, and an
    /// acknowledgement resolves them.
    @Suite struct AlertmanagerTests {
        @Test func escalationsGoThroughAlertmanagerAndAnAckResolvesThem() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let alertmanager = try await AlertmanagerServer(webhookURL: receiver.url + "/from-alertmanager")
            defer { alertmanager.stop() }
            let forwarder = try setup.forwarder([
                endpoint("am", alertmanager.url, format: .alertmanagerAPI),
                // Named as Alertmanager's receiver, so the two webhook messages can be compared whole.
                endpoint("webhook", receiver.url + "/ours", format: .alertmanager),
            ])
            let task = running(forwarder)
            defer { task.cancel() }
            let now = Date().timeIntervalSince1970
            await forwarder.receive(.systemAlert(Gater.alert(timestamp: now)), from: "n")
            await forwarder.receive(.alertEscalation(Gater.escalation(timestamp: now)), from: "n")
            // A second alert nobody acknowledges: it must stay active while the first resolves.
            await forwarder.receive(.alertEscalation(Gater.escalation("alert-2", timestamp: now)), from: "n")

            let labels = JoinedEscalation(
                escalation: Gater.escalation(), alert: Gater.alert(), node: "ex_esdb@host-1", startsAt: now
            ).labels
            let fingerprint = Fingerprint.of(labels)
            var listed: [String: Any] = [:]
            // Generous deadlines here and below: Alertmanager's group_wait and its dispatch run
            // on timers that a busy machine delays.
            try await eventually("listed by Alertmanager", timeout: .seconds(60)) {
                listed = try await alertmanager.alerts().first { ($0["labels"] as? [String: String]) == labels } ?? [:]
                return !listed.isEmpty
            }
            #expect(listed["fingerprint"] as? String == fingerprint, "our fingerprint is Alertmanager's")
            #expect((listed["status"] as? [String: Any])?["state"] as? String == "active")
            #expect((listed["annotations"] as? [String: String])?["reason"] == "no ack in 5m")

            try compare(try await ours(receiver, number: 1), try await notification(receiver, status: "firing"))

            await forwarder.receive(
                .alertAcknowledgement(Gater.ack(timestamp: Date().timeIntervalSince1970)), from: "n")
            let resolved = try await notification(receiver, status: "resolved")
            let alert = try #require((resolved["alerts"] as? [[String: Any]])?.first)
            #expect(alert["labels"] as? [String: String] == labels)
            #expect(alert["status"] as? String == "resolved")
            // Alertmanager lists only unresolved alerts: ours leaves the list (or shows resolved)
            // while the unacknowledged one is still listed as active.
            try await eventually("resolved in Alertmanager, the other alert still active", timeout: .seconds(60)) {
                let alerts = try await alertmanager.alerts()
                let state = { (id: String) in
                    alerts.first { ($0["labels"] as? [String: String])?["alert_id"] == id }
                        .map { ($0["status"] as? [String: Any])?["state"] as? String ?? "unknown" }
                }
                return state("alert-2") == "active" && (state("alert-1") == nil || state("alert-1") == "resolved")
            }
            try compare(try await ours(receiver, number: 2), resolved)
        }

        /// Alertmanager's webhook message about alert-1 with this status, once it arrives.
        func notification(_ receiver: WebhookReceiver, status: String) async throws -> [String: Any] {
            var found: [String: Any]?
            try await eventually("Alertmanager's \(status) notification", timeout: .seconds(60)) {
                found = receiver.requests.filter { $0.uri == "/from-alertmanager" }
                    .compactMap { try? $0.json() as? [String: Any] }
                    .first { $0["status"] as? String == status && isAboutTheFirstAlert($0) }
                return found != nil
            }
            return try #require(found)
        }

        /// The `number`th message about alert-1 our `alertmanager` endpoint received.
        func ours(_ receiver: WebhookReceiver, number: Int) async throws -> [String: Any] {
            var found: [String: Any]?
            try await eventually("our message \(number)") {
                let ours = receiver.requests.filter { $0.uri == "/ours" }
                    .compactMap { try? $0.json() as? [String: Any] }
                    .filter(isAboutTheFirstAlert)
                guard ours.count >= number else { return false }
                found = ours[number - 1]
                return true
            }
            return try #require(found)
        }

        func isAboutTheFirstAlert(_ message: [String: Any]) -> Bool {
            (message["groupLabels"] as? [String: String])?["alert_id"] == "alert-1"
        }

        /// Every field of the two messages, except the externalURL each sender sets to its own.
        func compare(_ ours: [String: Any], _ theirs: [String: Any]) throws {
            #expect(Set(ours.keys) == Set(theirs.keys))
            for key in ["version", "groupKey", "status", "receiver"] {
                #expect(ours[key] as? String == theirs[key] as? String, "\(key)")
            }
            #expect(ours["truncatedAlerts"] as? Int == theirs["truncatedAlerts"] as? Int)
            for key in ["groupLabels", "commonLabels", "commonAnnotations"] {
                #expect(ours[key] as? [String: String] == theirs[key] as? [String: String], "\(key)")
            }
            let our = try #require((ours["alerts"] as? [[String: Any]])?.first)
            let their = try #require((theirs["alerts"] as? [[String: Any]])?.first)
            #expect(Set(our.keys) == Set(their.keys))
            for key in ["status", "generatorURL", "fingerprint"] {
                #expect(our[key] as? String == their[key] as? String, "alerts[0].\(key)")
            }
            for key in ["labels", "annotations"] {
                #expect(our[key] as? [String: String] == their[key] as? [String: String], "alerts[0].\(key)")
            }
            #expect(try date(our["startsAt"]) == date(their["startsAt"]))
            if our["status"] as? String == "resolved" {
                #expect(abs(try date(our["endsAt"]) - date(their["endsAt"])) < 0.002)
            } else {
                #expect(our["endsAt"] as? String == "0001-01-01T00:00:00Z")
                #expect(their["endsAt"] as? String == "0001-01-01T00:00:00Z")
            }
        }

        /// RFC 3339 with or without fractional seconds, to the millisecond.
        func date(_ value: Any?) throws -> Double {
            let text = try #require(value as? String)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: text) { return (date.timeIntervalSince1970 * 1000).rounded() / 1000 }
            formatter.formatOptions = [.withInternetDateTime]
            return try #require(formatter.date(from: text), "not RFC 3339: \(text)").timeIntervalSince1970
        }
    }
}
