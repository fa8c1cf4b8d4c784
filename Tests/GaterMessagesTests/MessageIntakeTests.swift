import BEAMPeers
import ErlangTerm
import Foundation
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
        // unsigned, and ExESDB's bare log_event on its two topics.
        #expect(try rejected("unsigned") == 3)
        // not_envelope, not_a_map, missing_field, cluster_health_nothing_usable, log_summary_nothing_usable.
        #expect(try rejected("malformed") == 5)
        #expect(try rejected("unknown_type") == 1)
        #expect(accepted == broadcasts.count - 10)
        // The shifted ClusterHealth is taken, its two unusable fields counted.
        for field in ["status", "total_nodes"] {
            let ignored = try metrics.expectCounter(
                "exesdb_exporter_payload_fields_ignored_total",
                [("bus", "ex_esdb_metrics"), ("type", "cluster_health_updated"), ("field", field)])
            #expect(ignored.totalValue == 1, "\(field)")
        }
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

/// The per-channel texts kept for reuse: whatever collides, is too long or too short, a text is
/// always exactly the bytes it was read from.
@Suite struct TextInternerTests {
    @Test func aTextIsAlwaysItsOwnBytes() {
        let interner = TextInterner()
        var random = SystemRandomNumberGenerator()
        let pool = (0..<500).map { index in
            "ex_esdb@host-\(index)-" + String(repeating: "é", count: Int.random(in: 0...60, using: &random))
        }
        for _ in 0..<20_000 {
            let text = pool.randomElement(using: &random) ?? ""
            let read = Array(text.utf8).withUnsafeBufferPointer { interner.text($0) }
            guard read == text else {
                Issue.record("\(text) read as \(read)")
                return
            }
        }
    }
}

/// What the landing page and the log summary read of each channel.
@Suite struct IntakeChannelStatusTests {
    @Test func eachChannelSaysWhenItLastAcceptedAndHowManyOfEachKind() async throws {
        let intake = MessageIntake(secret: SecretKeyBase(GaterMessagesTests.secret), logger: Logger(label: "test"))
        let bytes = try #require(try await GaterMessagesTests.broadcasts.value["latency_metric"])
        let before = Date().timeIntervalSince1970
        for peer in ["ex_esdb@host-1", "ex_esdb@host-1", "ex_esdb@host-2"] {
            let view = try TermView(parsing: bytes)
            let envelope = try #require(view.element(2, of: view.root))
            _ = try #require(
                intake.receive(peer: peer, bus: "ex_esdb_metrics", topic: "latency", view: view, message: envelope))
        }
        intake.rejectUnreadable(peer: "ex_esdb@host-3", bus: "ex_esdb_metrics", topic: "")
        let status = Dictionary(uniqueKeysWithValues: intake.channelStatus().map { ($0.peer, $0) })
        #expect(status["ex_esdb@host-1"]?.accepted == [.latencyMetric: 2])
        #expect(status["ex_esdb@host-2"]?.accepted == [.latencyMetric: 1])
        #expect((status["ex_esdb@host-1"]?.lastAccepted ?? 0) >= before)
        #expect(status["ex_esdb@host-3"]?.lastAccepted == nil, "a rejection is no accepted message")
        #expect(status["ex_esdb@host-3"]?.accepted.isEmpty == true)
    }
}
