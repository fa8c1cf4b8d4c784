import BEAMPeers
import ErlangTerm
import Logging
import MetricsTestKit
import Testing

@testable import GaterMessages

/// Every broadcast is either a typed message counted by bus and type, or a rejection counted by
/// bus and reason.
@Suite struct MessageIntakeTests {
    @Test func acceptedAndRejectedMessagesAreCounted() async throws {
        let metrics = TestMetrics()
        let intake = MessageIntake(
            secret: SecretKeyBase(GaterMessagesTests.secret), logger: Logger(label: "test"), metrics: metrics)
        let broadcasts = try await GaterMessagesTests.broadcasts.value
        var accepted = 0
        for (name, bytes) in broadcasts.sorted(by: { $0.key < $1.key }) {
            let view = try TermView(parsing: bytes)
            let topic = try #require(view.element(1, of: view.root).flatMap { view.text(of: $0) })
            let envelope = try #require(view.element(2, of: view.root))
            if let received = intake.receive(
                peer: "ex_esdb@host-1", bus: "ex_esdb_metrics", topic: topic, view: view, message: envelope)
            {
                accepted += 1
                #expect(received.topic == topic && received.peer == "ex_esdb@host-1", "\(name)")
            }
        }
        let latency = try metrics.expectCounter(
            "exesdb_exporter_messages_total", [("bus", "ex_esdb_metrics"), ("type", "latency_metric")])
        // latency_metric, latency_otp26, the plain map, the unknown tag recognized by shape, the mismatched tag
        // and the loose numbers all decode as latency metrics.
        #expect(latency.totalValue == 6)
        let rejected = { (reason: String) in
            try metrics.expectCounter(
                "exesdb_exporter_messages_rejected_total", [("bus", "ex_esdb_metrics"), ("reason", reason)]
            ).totalValue
        }
        #expect(try rejected("bad_signature") == 1)
        #expect(try rejected("unsigned") == 1)
        #expect(try rejected("malformed") == 3)
        #expect(try rejected("unknown_type") == 1)
        #expect(accepted == broadcasts.count - 6)
        let last = try metrics.expectGauge(
            "exesdb_exporter_last_message_timestamp_seconds", [("peer", "ex_esdb@host-1"), ("bus", "ex_esdb_metrics")])
        #expect(last.lastValue ?? 0 > 1_700_000_000)
    }
}

/// Mutated broadcasts: each either decodes or is rejected and counted; nothing crashes.
@Suite struct HostileMessageTests {
    struct Mixer: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            return z ^ (z >> 31)
        }
    }

    @Test func mutatedBroadcastsAreDecodedOrRejected() async throws {
        try await onOwnThread {
            let intake = MessageIntake(secret: SecretKeyBase(GaterMessagesTests.secret), logger: Logger(label: "test"))
            let unsigned = MessageIntake(secret: nil, logger: Logger(label: "test"))
            var random = Mixer(state: 2026)
            var outcomes = (parsed: 0, decoded: 0)
            for (_, original) in try await GaterMessagesTests.broadcasts.value {
                for _ in 0..<300 {
                    var bytes = original
                    for _ in 0..<Int.random(in: 1...4, using: &random) {
                        bytes[Int.random(in: 1..<bytes.count, using: &random)] = UInt8.random(
                            in: 0...255, using: &random)
                    }
                    guard let view = try? TermView(parsing: bytes), let envelope = view.element(2, of: view.root) else {
                        continue
                    }
                    outcomes.parsed += 1
                    for receiver in [intake, unsigned] {
                        if receiver.receive(peer: "p@h", bus: "b", topic: "t", view: view, message: envelope) != nil {
                            outcomes.decoded += 1
                        }
                    }
                }
            }
            // Most mutants still parse (payload bytes changed), and signatures reject nearly all of them.
            #expect(outcomes.parsed > 1000)
            #expect(outcomes.decoded < outcomes.parsed)
        }
    }
}
