import BEAMPeers
import Foundation
import Testing

@testable import GaterMessages
@testable import WebhookForwarder

extension LoopbackTests {
    /// Deliveries over loopback HTTP to a receiver that records them: bodies, headers, signatures,
    /// credentials, joins, filters, repeats, acknowledgements and order.
    @Suite struct DeliveryTests {
        @Test func eachFormatArrivesSignedWithItsIdempotencyKey() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let hmac = try setup.secret("hook.hmac", "hmac-secret-value")
            let forwarder = try setup.forwarder(
                WebhookFormat.allCases.map { format in
                    endpoint(format.rawValue, receiver.url + "/\(format.rawValue)", format: format) {
                        $0.hmacSecretFile = hmac
                        $0.headers = ["X-Team": "storage"]
                    }
                })
            let task = running(forwarder)
            defer { task.cancel() }
            await forwarder.receive(.systemAlert(Gater.alert()), from: "ex_esdb@host-9")
            let outcome = await forwarder.receive(.alertEscalation(Gater.escalation()), from: "ex_esdb@host-9")
            #expect(outcome == .spooled(endpoints: ["alertmanager", "alertmanager_api", "json"]))
            let requests = try await receiver.waitForRequests(3)
            #expect(Set(requests.map(\.uri)) == ["/alertmanager", "/alertmanager_api/api/v2/alerts", "/json"])
            for request in requests {
                #expect(request.method == "POST")
                #expect(request.header("Content-Type") == "application/json")
                #expect(request.header("X-Team") == "storage")
                let timestamp = try #require(Int(request.header(RequestSigning.timestampHeader) ?? ""))
                #expect(abs(Double(timestamp) - Date().timeIntervalSince1970) < 30)
                #expect(
                    request.header(RequestSigning.signatureHeader)
                        == expectedSignature(request, secret: "hmac-secret-value"))
                #expect(
                    expectedSignature(request, secret: "another-secret")
                        != request.header(RequestSigning.signatureHeader))
                let endpoint = String(request.uri.dropFirst().prefix { $0 != "/" })
                #expect(
                    request.header(RequestSigning.idempotencyHeader)
                        == RequestSigning.idempotencyKey(
                            alertID: "alert-1", toLevel: "level2", endpoint: endpoint, resolved: false))
            }
            let json = try #require(requests.first { $0.uri == "/json" }?.json() as? [String: Any])
            #expect(
                (json["alert"] as? [String: Any])?["title"] as? String == "Node down", "joined with its SystemAlert")
            #expect(json["node"] as? String == "ex_esdb@host-1", "the alert's node, not the sender's")
            try await eventually("counted as delivered") {
                WebhookFormat.allCases.allSatisfy { setup.count($0.rawValue, .delivered) == 1 }
            }
            #expect(forwarder.queueStatus().allSatisfy { $0.length == 0 && $0.oldestPendingAge == nil })
            #expect(!setup.log.text.contains("hmac-secret-value"))
        }

        @Test func bearerAndBasicCredentialsAreSentAndNeverLogged() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start { _, _ in .status(503, body: "busy") }
            defer { Task { await receiver.stop() } }
            let token = try setup.secret("token", "bearer-token-value")
            let password = try setup.secret("password", "basic-password-value")
            let forwarder = try setup.forwarder([
                endpoint("bearer", receiver.url + "/b") { $0.bearerTokenFile = token },
                endpoint("basic", receiver.url + "/c") {
                    $0.basicAuth = .init(username: "exporter", passwordFile: password)
                },
            ])
            let task = running(forwarder)
            defer { task.cancel() }
            await forwarder.receive(.alertEscalation(Gater.escalation()), from: "ex_esdb@host-1")
            _ = try await receiver.waitForRequests(4)
            receiver.respond { _, _ in .ok }
            try await eventually("both delivered") {
                setup.count("bearer", .delivered) == 1 && setup.count("basic", .delivered) == 1
            }
            let requests = receiver.requests
            #expect(
                requests.filter { $0.uri == "/b" }.allSatisfy {
                    $0.header("Authorization") == "Bearer bearer-token-value"
                })
            let basic = "Basic " + Data("exporter:basic-password-value".utf8).base64EncodedString()
            #expect(requests.filter { $0.uri == "/c" }.allSatisfy { $0.header("Authorization") == basic })
            let text = setup.log.text
            #expect(text.contains("HTTP 503"), "the retries were logged")
            for secret in ["bearer-token-value", "basic-password-value", basic, "Authorization"] {
                #expect(!text.contains(secret), "\(secret) must never be logged")
            }
        }

        @Test func filtersByLevelAndSeverity() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([
                endpoint("high", receiver.url + "/high") {
                    $0.toLevels = ["level3"]
                    $0.minSeverity = .error
                }
            ])
            let task = running(forwarder)
            defer { task.cancel() }
            await forwarder.receive(.systemAlert(Gater.alert("warn", severity: "warning")), from: "n")
            await forwarder.receive(.systemAlert(Gater.alert("crit", severity: "critical")), from: "n")
            #expect(
                await forwarder.receive(.alertEscalation(Gater.escalation("crit", to: "level2")), from: "n")
                    == .filtered)
            #expect(
                await forwarder.receive(.alertEscalation(Gater.escalation("warn", to: "level3")), from: "n")
                    == .filtered)
            #expect(
                await forwarder.receive(.alertEscalation(Gater.escalation("crit", to: "level3")), from: "n")
                    == .spooled(endpoints: ["high"]))
            // Without its SystemAlert the severity is unknown: it is sent rather than silenced.
            #expect(
                await forwarder.receive(.alertEscalation(Gater.escalation("unseen", to: "level3")), from: "n")
                    == .spooled(endpoints: ["high"]))
            let requests = try await receiver.waitForRequests(2)
            let ids = try requests.map {
                try #require(($0.json() as? [String: Any])?["escalation"] as? [String: Any])["alert_id"] as? String
            }
            #expect(Set(ids.compactMap { $0 }) == ["crit", "unseen"])
            #expect(
                await forwarder.receive(
                    .latency(
                        LatencyMetric(
                            operation: "read", latencyMilliseconds: 1, percentile: "p50", sampleCount: 1, node: "n",
                            timestamp: nil)), from: "n") == .ignored)
        }

        @Test func repeatedEscalationsWithinTheWindowAreSentOnce() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([endpoint("hook", receiver.url)])
            let task = running(forwarder)
            defer { task.cancel() }
            #expect(
                await forwarder.receive(.alertEscalation(Gater.escalation()), from: "n")
                    == .spooled(endpoints: ["hook"]))
            #expect(await forwarder.receive(.alertEscalation(Gater.escalation()), from: "n") == .duplicate)
            #expect(
                await forwarder.receive(.alertEscalation(Gater.escalation(to: "level3")), from: "n")
                    == .spooled(endpoints: ["hook"]))
            _ = try await receiver.waitForRequests(2)
            try await Task.sleep(for: .milliseconds(200))
            #expect(receiver.requests.count == 2)

            let unwindowed = try ForwarderSetup()
            let again = try unwindowed.forwarder([endpoint("hook", receiver.url)], dedupWindow: .zero)
            #expect(
                await again.receive(.alertEscalation(Gater.escalation()), from: "n") == .spooled(endpoints: ["hook"]))
            #expect(
                await again.receive(.alertEscalation(Gater.escalation()), from: "n") == .spooled(endpoints: ["hook"]))
        }

        @Test func anAcknowledgementResolvesWhatWasEscalatedAfterItInOrder() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([
                endpoint("am", receiver.url + "/am", format: .alertmanager) { $0.maxInFlight = 8 }
            ])
            let task = running(forwarder)
            defer { task.cancel() }
            #expect(await forwarder.receive(.alertAcknowledgement(Gater.ack("never-escalated")), from: "n") == .ignored)
            await forwarder.receive(.systemAlert(Gater.alert()), from: "n")
            await forwarder.receive(.alertEscalation(Gater.escalation(to: "level2")), from: "n")
            await forwarder.receive(.alertEscalation(Gater.escalation(from: "level2", to: "level3")), from: "n")
            #expect(
                await forwarder.receive(.alertAcknowledgement(Gater.ack()), from: "n")
                    == .spooled(endpoints: ["am", "am"]))
            #expect(await forwarder.receive(.alertAcknowledgement(Gater.ack()), from: "n") == .ignored, "resolved once")
            let requests = try await receiver.waitForRequests(4)
            let states = try requests.map { request -> String in
                let message = try #require(request.json() as? [String: Any])
                let alert = try #require((message["alerts"] as? [[String: Any]])?.first)
                let labels = try #require(alert["labels"] as? [String: String])
                return "\(message["status"] ?? "") \(labels["to_level"] ?? "")"
            }
            #expect(states == ["firing level2", "firing level3", "resolved level2", "resolved level3"])
            let resolvedKey = RequestSigning.idempotencyKey(
                alertID: "alert-1", toLevel: "level2", endpoint: "am", resolved: true)
            #expect(requests[2].header(RequestSigning.idempotencyHeader) == resolvedKey)
        }

        @Test func anAcknowledgementAfterARestartStillResolves() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let endpoints = [endpoint("am", receiver.url + "/am", format: .alertmanager)]
            let first = try setup.forwarder(endpoints)
            let firstRun = running(first)
            await first.receive(.systemAlert(Gater.alert()), from: "n")
            await first.receive(.alertEscalation(Gater.escalation()), from: "n")
            _ = try await receiver.waitForRequests(1)
            // Stopped only once the firing delivery is complete: stopped while the receiver's
            // answer was still on its way, it stays pending and is rightly sent again after the
            // restart (seen once on a loaded machine, where the second request was that repeat).
            let drained = try await poll(timeout: .seconds(20)) {
                first.queueStatus().allSatisfy { $0.length == 0 } ? true : nil
            }
            #expect(drained == true)
            firstRun.cancel()
            _ = await firstRun.result

            let second = try setup.forwarder(endpoints)
            let secondRun = running(second)
            defer { secondRun.cancel() }
            #expect(await second.receive(.alertAcknowledgement(Gater.ack()), from: "n") == .spooled(endpoints: ["am"]))
            let resolved = try #require(try await receiver.waitForRequests(2).last?.json() as? [String: Any])
            #expect(resolved["status"] as? String == "resolved")
            let alert = try #require((resolved["alerts"] as? [[String: Any]])?.first)
            #expect((alert["labels"] as? [String: String])?["severity"] == "critical", "joined before the restart")
            #expect((alert["annotations"] as? [String: String])?["summary"] == "Node down")
            secondRun.cancel()
            _ = await secondRun.result

            // Resolved once: the memo is gone after the next restart too.
            let third = try setup.forwarder(endpoints)
            #expect(await third.receive(.alertAcknowledgement(Gater.ack()), from: "n") == .ignored)
        }

        @Test func escalationsOlderThanTheCacheTTLAreNotResolvedAfterARestart() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let endpoints = [endpoint("hook", receiver.url)]
            let first = try setup.forwarder(endpoints, alertCacheTTL: .milliseconds(300))
            let firstRun = running(first)
            await first.receive(.alertEscalation(Gater.escalation()), from: "n")
            _ = try await receiver.waitForRequests(1)
            firstRun.cancel()
            _ = await firstRun.result
            try await Task.sleep(for: .milliseconds(400))
            let second = try setup.forwarder(endpoints, alertCacheTTL: .milliseconds(300))
            #expect(await second.receive(.alertAcknowledgement(Gater.ack()), from: "n") == .ignored)
        }

        @Test func deliveriesOfOneAlertAreOrderedWhileOthersRunConcurrently() async throws {
            let setup = try ForwarderSetup()
            // 16 in flight: were order not kept, an alert's later levels would go out beside its first.
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([endpoint("hook", receiver.url) { $0.maxInFlight = 16 }])
            let task = running(forwarder)
            defer { task.cancel() }
            for level in ["level1", "level2", "level3"] {
                for alert in 0..<10 {
                    // Half of them as the ingest path sends them: not waiting for each sync.
                    let outcome = await forwarder.receive(
                        .alertEscalation(Gater.escalation("alert-\(alert)", to: level)), from: "n",
                        durably: alert % 2 == 0)
                    #expect(outcome == (alert % 2 == 0 ? .spooled(endpoints: ["hook"]) : .queued(endpoints: ["hook"])))
                }
            }
            let requests = try await receiver.waitForRequests(30)
            var levels: [String: [String]] = [:]
            for request in requests {
                let escalation = try #require((request.json() as? [String: Any])?["escalation"] as? [String: Any])
                levels[escalation["alert_id"] as? String ?? "", default: []].append(
                    escalation["to_level"] as? String ?? "")
            }
            #expect(levels.count == 10)
            #expect(levels.values.allSatisfy { $0 == ["level1", "level2", "level3"] })
            #expect(receiver.connections <= 16, "connections are kept alive and reused: \(receiver.connections)")
        }

        @Test func sequentialDeliveriesReuseOneKeptAliveConnection() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([endpoint("hook", receiver.url) { $0.maxInFlight = 1 }])
            let task = running(forwarder)
            defer { task.cancel() }
            for alert in 0..<20 { await forwarder.receive(.alertEscalation(Gater.escalation("a\(alert)")), from: "n") }
            try await eventually("all delivered") { setup.count("hook", .delivered) == 20 }
            #expect(receiver.requests.count >= 20)
            #expect(receiver.connections == 1, "HTTP/1.1 keep-alive: \(receiver.connections) connections")
        }

        @Test func queueStatusAndGaugesShowPendingDeliveries() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start { _, _ in .status(500) }
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([endpoint("hook", receiver.url), endpoint("idle", receiver.url)])
            let task = running(forwarder)
            defer { task.cancel() }
            for alert in 0..<3 { await forwarder.receive(.alertEscalation(Gater.escalation("a\(alert)")), from: "n") }
            try await Task.sleep(for: .milliseconds(1500))
            let status = forwarder.queueStatus()
            #expect(status.map(\.endpoint) == ["hook", "idle"])
            #expect(status[0].length == 3)
            #expect((status[0].oldestPendingAge ?? 0) >= 1.4)
            #expect(status[1].length == 3)
            let length = try setup.metrics.expectGauge("exesdb_exporter_webhook_queue_length", [("endpoint", "hook")])
            #expect(length.lastValue == 3)
            let age = try setup.metrics.expectGauge(
                "exesdb_exporter_webhook_oldest_pending_age_seconds", [("endpoint", "hook")])
            // Refreshed every second, not only when the queue changes (it last changed at 0 s):
            // it comes to show half a second and more (awaited, as a busy machine delays ticks).
            try await eventually("the age gauge refreshed") { (age.lastValue ?? 0) >= 0.5 }
            let timer = try setup.metrics.expectTimer(
                "exesdb_exporter_webhook_delivery_duration_seconds", [("endpoint", "hook")])
            try await eventually("an attempt timed") { !timer.values.isEmpty }
        }

        /// The ingest path's way in: `submit` returns at once, on the thread that read the message;
        /// the forwarder's own task then joins and sends in submission order. Other kinds are not
        /// queued; after the forwarder has stopped, a submission is refused, logged and, for an
        /// escalation, counted as dropped.
        @Test func submittedAlertMessagesAreSentInOrderAndRefusedOnceStopped() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([endpoint("hook", receiver.url + "/hook", format: .json)])
            let task = running(forwarder)
            #expect(forwarder.submit(.systemAlert(Gater.alert()), from: "ex_esdb@host-9"))
            #expect(
                forwarder.submit(
                    .latency(
                        LatencyMetric(
                            operation: "append", latencyMilliseconds: 1, percentile: "p99", sampleCount: 1,
                            node: "n", timestamp: nil)), from: "ex_esdb@host-9"))
            for level in ["level1", "level2", "level3"] {
                #expect(
                    forwarder.submit(
                        .alertEscalation(Gater.escalation(from: "level0", to: level)), from: "ex_esdb@host-9"))
            }
            let requests = try await receiver.waitForRequests(3)
            let levels = try requests.map { request -> String in
                let json = try #require(request.json() as? [String: Any])
                return try #require((json["escalation"] as? [String: Any])?["to_level"] as? String)
            }
            #expect(levels == ["level1", "level2", "level3"], "in submission order")
            let json = try #require(requests.first?.json() as? [String: Any])
            #expect(
                (json["alert"] as? [String: Any])?["title"] as? String == "Node down", "joined with its SystemAlert")

            task.cancel()
            _ = await task.result
            #expect(!forwarder.submit(.alertEscalation(Gater.escalation("late")), from: "ex_esdb@host-9"))
            #expect(forwarder.submit(.systemAlert(Gater.alert("other")), from: "ex_esdb@host-9") == false)
            #expect(setup.count("hook", .dropped) == 1, "the refused escalation, not the alert")
            #expect(setup.log.text.contains("alert messages are refused"))
        }
    }
}
