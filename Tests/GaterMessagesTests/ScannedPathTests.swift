import BEAMPeers
import ErlangTerm
import Foundation
import Logging
import Testing

@testable import GaterMessages

/// The scanned path (`EnvelopeVerifier.scan`, straight from the bytes) against the general one
/// (`TermView`, `open`, `GaterDecoder`) on the BEAM's own broadcasts and on thousands of mutants:
/// whenever the scanned path answers, it answers what the general path decodes; otherwise it
/// leaves the broadcast to the general path. It never crashes.
@Suite struct ScannedPathTests {
    let verifier = EnvelopeVerifier(secret: SecretKeyBase(GaterMessagesTests.secret))

    /// The general path's answer for a broadcast, nil when its bytes are no forward_to_local term.
    func general(_ bytes: [UInt8], style: RememberedStyle) -> Result<GaterMessage, MessageRejection>? {
        guard let view = try? TermView(parsing: bytes, wholeInput: true), let envelope = view.element(2, of: view.root)
        else { return nil }
        return verifier.open(view, envelope, style: style).flatMap {
            GaterDecoder().decode(view, inner: $0, sender: "ex_esdb@host-1")
        }
    }

    /// Where the envelope starts: after `131, {forward_to_local, <<Topic>>,` as the BEAM writes it
    /// (PhoenixPubSub hands on only broadcasts that begin so).
    static let head: [UInt8] = [131, 104, 4, 119, 16] + Array("forward_to_local".utf8) + [109]

    func envelopeOffset(_ bytes: [UInt8]) -> Int? {
        guard bytes.count > 26, bytes.prefix(22).elementsEqual(Self.head) else { return nil }
        let length = bytes[22..<26].reduce(0) { $0 << 8 | Int($1) }
        return 26 + length <= bytes.count ? 26 + length : nil
    }

    func scanned(_ bytes: [UInt8], style: RememberedStyle) -> GaterMessage? {
        guard let envelope = envelopeOffset(bytes) else { return nil }
        return bytes.withUnsafeBufferPointer {
            verifier.scan($0, envelope: envelope, style: style, sender: "ex_esdb@host-1", texts: TextInterner())?
                .message
        }
    }

    /// The fields a message had but could not use are the same on both paths (they are counted
    /// from whichever path took the message).
    @Test func bothPathsReportTheSameIgnoredFields() async throws {
        for (name, bytes) in try await GaterMessagesTests.broadcasts.value {
            guard let envelope = envelopeOffset(bytes),
                let fast = bytes.withUnsafeBufferPointer({
                    verifier.scan($0, envelope: envelope, style: RememberedStyle(), sender: "h", texts: TextInterner())
                }),
                let view = try? TermView(parsing: bytes, wholeInput: true), let outer = view.element(2, of: view.root),
                case .success(let inner) = verifier.open(view, outer, style: RememberedStyle())
            else { continue }
            let general = GaterDecoder().decodeReporting(view, inner: inner, sender: "h")
            #expect(general.report == fast.report, "\(name): \(general.report.ignored) vs \(fast.report.ignored)")
        }
    }

    @Test func everyBroadcastOfTheBEAMScansToWhatTheGeneralPathDecodes() async throws {
        var scannedNames: Set<String> = []
        for (name, bytes) in try await GaterMessagesTests.broadcasts.value {
            let style = RememberedStyle()
            let expected = general(bytes, style: RememberedStyle())
            guard let message = scanned(bytes, style: style) else { continue }
            scannedNames.insert(name)
            #expect(
                expected == .success(message), "\(name): scanned \(message), general \(String(describing: expected))")
        }
        // The metrics a cluster sends all the time take the scanned path, alerts and health too.
        for name in ["performance_metric", "throughput_metric", "latency_metric", "resource_usage", "metric_alert"] {
            #expect(scannedNames.contains(name), "\(name) did not take the scanned path: \(scannedNames.sorted())")
        }
        // Every struct of the other six buses too (pids included), and under another kind's tag.
        for kind in BusPayloadExpectations.expected(sender: "s").keys {
            for name in [kind.rawValue, kind.rawValue + "_mismatch"] {
                #expect(scannedNames.contains(name), "\(name) did not take the scanned path")
            }
        }
        // Unsigned, tampered, plain maps and loose shapes are left to the general path.
        for name in [
            "tampered", "unsigned", "not_envelope", "latency_plain_map", "alert_loose_strings", "log_entry_plain",
            "security_alert_by_shape", "log_event", "data_change_shifted",
        ] {
            #expect(!scannedNames.contains(name), "\(name) must be left to the general path")
        }
    }

    @Test func anOTP26PublisherScansOnceItsStyleIsKnown() async throws {
        let bytes = try #require(try await GaterMessagesTests.broadcasts.value["latency_otp26"])
        let style = RememberedStyle()
        #expect(scanned(bytes, style: style) == nil, "tried in the legacy style first: left to the general path")
        guard case .success(let expected) = general(bytes, style: style) else {
            Issue.record("the general path must decode it")
            return
        }
        #expect(style.style == .utf8, "the general path remembered the style")
        #expect(scanned(bytes, style: style) == expected)
    }

    /// A kind's first 64 signed bytes are remembered with the HMAC state after them
    /// (`FirstBlocks`): a message whose first block differs in one byte is hashed in full and
    /// refused, and the remembered one still serves the unaltered message, in both atom styles.
    @Test func aRememberedFirstBlockNeverVouchesForAnAlteredOne() async throws {
        let broadcasts = try await GaterMessagesTests.broadcasts.value
        for (name, style) in [("latency_metric", AtomStyle.legacy), ("latency_otp26", .utf8)] {
            let bytes = try #require(broadcasts[name])
            let remembered = RememberedStyle()
            remembered.style = style
            let first = try #require(scanned(bytes, style: remembered), "\(name)")
            #expect(scanned(bytes, style: remembered) == first, "\(name) again, from the remembered block")
            // The tag atom `latency_metric` is in the first block, after the signature.
            let tag = Array("latency_metric".utf8)
            let at = try #require(
                (0...(bytes.count - tag.count)).last { Array(bytes[$0..<($0 + tag.count)]) == tag }, "\(name)")
            var altered = bytes
            altered[at] = UInt8(ascii: "k")
            #expect(scanned(altered, style: remembered) == nil, "\(name) altered in its first block")
            #expect(general(altered, style: remembered) == .failure(.badSignature), "\(name)")
            #expect(scanned(bytes, style: remembered) == first, "\(name) after the altered one")
        }
    }

    @Test func mutantsScanToTheGeneralAnswerOrAreLeftToIt() async throws {
        try await onOwnThread {
            var random = HostileMessageTests.Mixer(state: 4242)
            var counts = (mutants: 0, scanned: 0)
            for (name, original) in try await GaterMessagesTests.broadcasts.value {
                for _ in 0..<400 {
                    var bytes = original
                    for _ in 0..<Int.random(in: 1...3, using: &random) {
                        bytes[Int.random(in: 1..<bytes.count, using: &random)] = UInt8.random(
                            in: 0...255, using: &random)
                    }
                    counts.mutants += 1
                    let style = RememberedStyle()
                    guard let message = scanned(bytes, style: style) else { continue }
                    counts.scanned += 1
                    #expect(general(bytes, style: RememberedStyle()) == .success(message), "\(name) mutant \(bytes)")
                }
            }
            // Mutants outside the signed term (the topic) still verify: those are compared.
            #expect(counts.scanned > 50, "\(counts)")
        }
    }

    @Test func everyTruncationIsLeftToTheGeneralPath() async throws {
        try await onOwnThread {
            for (name, original) in try await GaterMessagesTests.broadcasts.value {
                for length in 0..<original.count {
                    #expect(
                        scanned(Array(original.prefix(length)), style: RememberedStyle()) == nil, "\(name) at \(length)"
                    )
                }
            }
        }
    }

    /// The intake counts and stamps a scanned broadcast as it does a decoded one.
    @Test func theIntakeTakesScannedBroadcastsAndLeavesTheRest() async throws {
        let intake = MessageIntake(secret: SecretKeyBase(GaterMessagesTests.secret), logger: Logger(label: "test"))
        let broadcasts = try await GaterMessagesTests.broadcasts.value
        let latency = try #require(broadcasts["latency_metric"])
        let received = latency.withUnsafeBufferPointer {
            intake.receive(
                peer: "ex_esdb@host-1", bus: "ex_esdb_metrics", topic: "latency", bytes: $0,
                envelope: envelopeOffset(latency) ?? 0)
        }
        #expect(received?.message.kind == .latencyMetric && received?.topic == "latency")
        let tampered = try #require(broadcasts["tampered"])
        let left = tampered.withUnsafeBufferPointer {
            intake.receive(
                peer: "ex_esdb@host-1", bus: "ex_esdb_metrics", topic: "latency", bytes: $0,
                envelope: envelopeOffset(tampered) ?? 0)
        }
        #expect(left == nil, "a bad signature is left to the general path, which counts it")
    }
}
