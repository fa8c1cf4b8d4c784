import BEAMPeers
import Foundation
import Synchronization
import Testing

@testable import GaterMessages
@testable import WebhookForwarder

extension LoopbackTests {
    /// Failure injection over loopback: 5xx then recovery, 429 with Retry-After, a receiver that
    /// hangs, a refused port, a permanent 4xx, and the attempt and age limits.
    @Suite struct DeliveryFailureTests {
        @Test func serverErrorsAndRequestTimeoutsAreRetriedWithBackoffUntilTheReceiverRecovers() async throws {
            let setup = try ForwarderSetup()
            let answers: [WebhookReceiver.Reply] = [
                .status(500, body: "boom"), .status(408, body: "request timeout"), .status(503),
            ]
            let receiver = try await WebhookReceiver.start { _, index in index < 3 ? answers[index] : .ok }
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([endpoint("hook", receiver.url) { $0.maxInFlight = 1 }])
            let task = running(forwarder)
            defer { task.cancel() }
            await forwarder.receive(.alertEscalation(Gater.escalation()), from: "n")
            let requests = try await receiver.waitForRequests(4)
            try await eventually("delivered") { setup.count("hook", .delivered) == 1 }
            #expect(setup.count("hook", .retried) == 3)
            #expect(setup.count("hook", .failed) == 0 && setup.count("hook", .dropped) == 0)
            #expect(
                Set(requests.map { $0.header(RequestSigning.idempotencyHeader) }).count == 1,
                "one key for every attempt")
            #expect(Set(requests.map(\.body)).count == 1, "the same body every attempt")
            // Backoff: 50 ms doubling (with jitter, at least half of it) between the attempts.
            let gaps = zip(requests.dropFirst(), requests).map { $0.arrivedAt - $1.arrivedAt }
            #expect(gaps[0] >= 0.025 && gaps[1] >= 0.05 && gaps[2] >= 0.1, "\(gaps)")
            let warnings = setup.log.all.filter { $0.level == .warning }
            #expect(warnings.count == 1, "one warning while failing, then debug: \(warnings.map(\.message))")
            #expect(warnings.first?.message.contains("HTTP 500: \"boom\"") == true)
            #expect(setup.log.text.contains("HTTP 408: \"request timeout\""), "408 is retried, not refused")
            #expect(setup.log.all.contains { $0.message == "webhook endpoint recovered" })
            #expect(
                AttemptVerdict(.response(status: 408, retryAfter: nil, bodyPrefix: ""))
                    == .retry(reason: "HTTP 408", notBefore: nil))
            #expect(
                AttemptVerdict(.response(status: 404, retryAfter: nil, bodyPrefix: "")) == .refused(reason: "HTTP 404"))
        }

        /// Deliveries in flight together fail together: the endpoint going down is one warning,
        /// its recovery one info line, however many deliveries were in flight (issue 14, 10).
        @Test func aFailingEndpointIsLoggedOncePerStateChangeNotPerDelivery() async throws {
            let setup = try ForwarderSetup()
            let endpointDown = Toggle(true)
            let receiver = try await WebhookReceiver.start { _, _ in
                endpointDown.isOn ? .status(503, body: "down") : .ok
            }
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([endpoint("hook", receiver.url) { $0.maxInFlight = 8 }])
            // Queued before the forwarder runs, so that all eight are sent at once when it starts.
            for alert in 0..<8 { await forwarder.receive(.alertEscalation(Gater.escalation("a\(alert)")), from: "n") }
            let task = running(forwarder)
            defer { task.cancel() }
            try await eventually("every delivery failed twice") { setup.count("hook", .retried) >= 16 }
            let failed = { setup.log.all.filter { $0.message.hasPrefix("webhook delivery failed") } }
            #expect(failed().filter { $0.level == .warning }.count == 1, "\(failed().map(\.level))")
            endpointDown.isOn = false
            try await eventually("delivered") { setup.count("hook", .delivered) == 8 }
            let recovered = setup.log.all.filter { $0.message == "webhook endpoint recovered" }
            #expect(recovered.count == 1 && recovered.first?.level == .info)
            // Down again: one more warning.
            endpointDown.isOn = true
            let retriedBefore = setup.count("hook", .retried)
            for alert in 8..<12 { await forwarder.receive(.alertEscalation(Gater.escalation("a\(alert)")), from: "n") }
            try await eventually("failing again") { setup.count("hook", .retried) >= retriedBefore + 8 }
            #expect(failed().filter { $0.level == .warning }.count == 2, "\(failed().map(\.level))")
            endpointDown.isOn = false
            try await eventually("delivered") { setup.count("hook", .delivered) == 12 }
        }

        @Test func retryAfterIsHonoured() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start { _, index in
                index == 0 ? .status(429, headers: [("Retry-After", "1")], body: "slow down") : .ok
            }
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([endpoint("hook", receiver.url)])
            let task = running(forwarder)
            defer { task.cancel() }
            await forwarder.receive(.alertEscalation(Gater.escalation()), from: "n")
            let requests = try await receiver.waitForRequests(2)
            #expect(
                requests[1].arrivedAt - requests[0].arrivedAt >= 0.95,
                "waited for Retry-After: 1 (backoff alone is 50 ms)")
            try await eventually("delivered") { setup.count("hook", .delivered) == 1 }
            #expect(setup.count("hook", .retried) == 1)
            #expect(
                AttemptVerdict.delay("Wed, 21 Oct 2015 07:28:30 GMT", now: Date(timeIntervalSince1970: 1_445_412_500))
                    == .seconds(10))
            #expect(AttemptVerdict.delay("soon", now: Date()) == nil)
        }

        /// A Retry-After a receiver gets wrong or makes hostile (a date millions of years ahead, more
        /// seconds than an Int holds) is a delay or none, never a trap; backoff caps it at an hour.
        @Test func anAbsurdRetryAfterIsNoCrash() {
            let now = Date(timeIntervalSince1970: 1_445_412_500)
            for value in [
                "Fri, 31 Dec 99999999 23:59:59 GMT", "Sat, 01 Jan 292277026596 00:00:00 GMT",
                "9223372036854775807", "99999999999999999999999", "-5",
            ] {
                if let delay = AttemptVerdict.delay(value, now: now) { #expect(delay >= .zero, "\(value)") }
            }
            #expect(AttemptVerdict.delay("9223372036854775807", now: now) == .seconds(Int.max))
        }

        @Test func aReceiverThatHangsTimesOutAndIsRetried() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start { _, index in index == 0 ? .hang : .ok }
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([endpoint("hook", receiver.url) { $0.timeout = .seconds(1) }])
            let task = running(forwarder)
            defer { task.cancel() }
            let start = Date().timeIntervalSince1970
            await forwarder.receive(.alertEscalation(Gater.escalation()), from: "n")
            try await eventually("delivered after the timeout") { setup.count("hook", .delivered) == 1 }
            #expect(Date().timeIntervalSince1970 - start >= 1)
            // At least the hung attempt; on a starved machine an answered attempt can time out too.
            #expect(setup.count("hook", .retried) >= 1)
            #expect(setup.log.text.contains("curl error 28"), "libcurl's timeout: \(setup.log.text)")
        }

        @Test func aRefusedPortIsRetriedUntilMaxAttemptsThenDroppedAndCounted() async throws {
            let setup = try ForwarderSetup()
            let port = ErlangTools.freePort()
            let forwarder = try setup.forwarder([endpoint("down", "http://127.0.0.1:\(port)/x") { $0.maxAttempts = 3 }])
            let task = running(forwarder)
            defer { task.cancel() }
            await forwarder.receive(.alertEscalation(Gater.escalation()), from: "n")
            try await eventually("dropped") { setup.count("down", .dropped) == 1 }
            #expect(setup.count("down", .retried) == 2)
            #expect(setup.count("down", .delivered) == 0)
            let dropped = try #require(setup.log.all.first { $0.message.hasPrefix("webhook delivery dropped") })
            #expect(dropped.level == .error)
            #expect(dropped.message.contains("after 3 attempts (max_attempts)"))
            #expect(
                dropped.message.contains("Connection refused") || dropped.message.contains("curl error 7"),
                "\(dropped.message)")
            #expect(dropped.metadata["origin"] == "http://127.0.0.1:\(port)", "the origin only, never the path")
            #expect(forwarder.queueStatus().first?.length == 0)
        }

        @Test func aPermanentClientErrorIsNotRetriedAndIsLoggedWithTheBody() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start { _, _ in
                .status(400, body: "missing field \"labels\"\nmore")
            }
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([endpoint("strict", receiver.url)])
            let task = running(forwarder)
            defer { task.cancel() }
            await forwarder.receive(.alertEscalation(Gater.escalation()), from: "n")
            try await eventually("failed") { setup.count("strict", .failed) == 1 }
            try await Task.sleep(for: .milliseconds(300))
            #expect(receiver.requests.count == 1)
            #expect(setup.count("strict", .retried) == 0)
            let line = try #require(setup.log.all.first { $0.level == .error })
            #expect(line.message.contains("HTTP 400: \"missing field \"labels\" more\""), "\(line.message)")
            #expect(line.metadata["alert_id"] == "alert-1")
        }

        @Test func deliveriesOlderThanMaxAgeAreDroppedEvenWhileTheEndpointIsDown() async throws {
            let setup = try ForwarderSetup()
            let port = ErlangTools.freePort()
            let forwarder = try setup.forwarder([
                endpoint("down", "http://127.0.0.1:\(port)") {
                    $0.maxAge = .milliseconds(600)
                    $0.minBackoff = .milliseconds(200)
                    $0.maxBackoff = .milliseconds(200)
                }
            ])
            let task = running(forwarder)
            defer { task.cancel() }
            for alert in 0..<5 { await forwarder.receive(.alertEscalation(Gater.escalation("a\(alert)")), from: "n") }
            try await eventually("all five dropped") { setup.count("down", .dropped) == 5 }
            #expect(setup.log.all.contains { $0.message.contains("older than max_age (600ms)") })
            #expect(forwarder.queueStatus().first?.length == 0)
        }

        @Test func aDeliveryTheSpoolCannotTakeIsRefusedAndCounted() async throws {
            let setup = try ForwarderSetup()
            let forwarder = try setup.forwarder([endpoint("hook", "http://127.0.0.1:1")])
            let task = running(forwarder)
            task.cancel()
            _ = await task.result
            let outcome = await forwarder.receive(.alertEscalation(Gater.escalation()), from: "n")
            guard case .refused(let reason) = outcome else {
                Issue.record("expected refused, got \(outcome)")
                return
            }
            #expect(reason.contains("is closed"))
            #expect(setup.count("hook", .dropped) == 1)
            #expect(
                await forwarder.receive(.alertEscalation(Gater.escalation()), from: "n") != .duplicate, "not remembered"
            )
        }
    }
}

/// A switch a responder reads while the test flips it.
final class Toggle: Sendable {
    private let state: Atomic<Bool>
    init(_ isOn: Bool) { state = Atomic(isOn) }
    var isOn: Bool {
        get { state.load(ordering: .relaxed) }
        set { state.store(newValue, ordering: .relaxed) }
    }
}
