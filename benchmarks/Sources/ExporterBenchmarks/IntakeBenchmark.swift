import BEAMPeers
import ErlangDistribution
import ErlangTerm
import Foundation
import GaterMessages
import Logging
import PhoenixPubSub

/// From a received distribution frame to a typed, verified message: the control message, the
/// payload term, the forward_to_local tuple, the signature (legacy re-encode + HMAC-SHA256) and
/// the LatencyMetric fields, beside the BEAM's binary_to_term + term_to_binary + crypto:mac on
/// the same bytes (`beam_verify_ns`, measured in the same run).
enum IntakeBenchmark {
    static func run(message: [UInt8], secret: String, beamNanoseconds: Double, iterations: Int) throws {
        let from = Pid(node: "ex_esdb@host-1", id: 101, serial: 0, creation: 1_700_000_001)
        let to = Pid(node: "exesdb_exporter@host-9", id: 7, serial: 0, creation: 42)
        let frame = [112] + ControlMessage.sendSender(from: from, to: to).term.encoded() + message
        let intake = MessageIntake(secret: SecretKeyBase(secret), logger: Logger(label: "bench"))
        // As a connection's dispatcher holds them: our node's name and the peer's.
        var atoms = AtomInterner(known: [to.node, from.node])
        guard receive(frame, intake, &atoms) == 1, receiveDecoded(frame, intake, &atoms) == 1 else {
            throw ErlangTools.Failure(description: "the benchmark frame did not verify and decode")
        }
        guard scans(frame, intake, atoms) else {
            throw ErlangTools.Failure(description: "the benchmark frame did not take the scanned path")
        }
        // BENCH_STAGE=scanned measures the exporter's path alone, for a profiler.
        let onlyScanned = ProcessInfo.processInfo.environment["BENCH_STAGE"] == "scanned"
        let exporter = nanosecondsPerCall(iterations: iterations) { receive(frame, intake, &atoms) }
        let decoded = nanosecondsPerCall(iterations: onlyScanned ? 1 : iterations) {
            receiveDecoded(frame, intake, &atoms)
        }
        let ratio = exporter.ns / beamNanoseconds
        printTable(
            "frame to typed, verified message (\(frame.count)-byte frame)",
            [
                ResultRow(
                    name: "BEAM binary_to_term + term_to_binary + crypto:mac", nanoseconds: beamNanoseconds,
                    comparison: ""),
                ResultRow(
                    name: "Swift frame -> control -> envelope -> HMAC -> LatencyMetric", nanoseconds: exporter.ns,
                    comparison: ratio.isNaN
                        ? "(no BEAM in this mode: run scripts/bench.sh without a mode for the ratio)"
                        : String(format: "%.3fx the BEAM", ratio)
                            + (ratio <= 0.25 ? "  (target <= 0.25x: met)" : "  (target <= 0.25x: MISSED)")),
                ResultRow(
                    name: "  the same through a TermView (the general path)", nanoseconds: decoded.ns,
                    comparison: String(format: "%.3fx the BEAM", decoded.ns / beamNanoseconds)),
            ])
    }

    /// The same path cut into stages, for finding where the time goes.
    static func stages(message: [UInt8], secret: String, iterations: Int) throws {
        let from = Pid(node: "ex_esdb@host-1", id: 101, serial: 0, creation: 1_700_000_001)
        let to = Pid(node: "exesdb_exporter@host-9", id: 7, serial: 0, creation: 42)
        let frame = [112] + ControlMessage.sendSender(from: from, to: to).term.encoded() + message
        let control = try TermView(parsing: frame, at: 1)
        let payload = try TermView(parsing: frame, at: control.endOffset)
        guard let envelope = payload.element(2, of: payload.root) else { return }
        let verifier = EnvelopeVerifier(secret: SecretKeyBase(secret))
        let inner = try verifier.open(payload, envelope, peer: "p").get()
        let decoder = GaterDecoder()
        let intake = MessageIntake(secret: SecretKeyBase(secret), logger: Logger(label: "bench"))
        var atoms = AtomInterner(known: [to.node, from.node])
        let rows: [(String, () -> Int)] = [
            (
                "control: SEND_SENDER from the bytes",
                { ControlMessage.sendSender(inFrame: frame, at: 1, atoms: atoms)?.payloadOffset ?? 0 }
            ),
            ("control: general parse", { (try? TermView(parsing: frame, at: 1))?.nodeCount ?? 0 }),
            ("control: general decode", { (try? ControlMessage(control, atoms: &atoms))?.operation ?? 0 }),
            (
                "intake: verify + decode + count",
                { intake.receive(peer: "p", bus: "b", topic: "t", view: payload, message: envelope) == nil ? 0 : 1 }
            ),
            ("payload: parse", { (try? TermView(parsing: frame, at: control.endOffset))?.nodeCount ?? 0 }),
            ("envelope: re-encode + HMAC", { (try? verifier.open(payload, envelope, peer: "p").get()) == nil ? 0 : 1 }),
            (
                "payload: decode LatencyMetric",
                { (try? decoder.decode(payload, inner: inner, sender: "p").get()) == nil ? 0 : 1 }
            ),
        ]
        // BENCH_STAGE=<prefix> runs only the matching stages, for a profiler.
        let only = ProcessInfo.processInfo.environment["BENCH_STAGE"]
        for (name, body) in rows where only.map({ name.hasPrefix($0) }) ?? true {
            print(
                String(
                    format: "  %-32@ %8.1f ns", name as NSString, nanosecondsPerCall(iterations: iterations, body).ns))
        }
    }

    /// What the exporter does per frame, as FrameDispatcher, PubSubSubscriber and
    /// ClusterSubscription do it: the SEND_SENDER fast path, the `forward_to_local` head read
    /// from the bytes, the broadcast scanned by the intake (the general path when it declines).
    /// 1 when a LatencyMetric came out.
    static func receive(_ frame: [UInt8], _ intake: MessageIntake, _ atoms: inout AtomInterner) -> Int {
        guard let (decoded, payloadOffset) = ControlMessage.sendSender(inFrame: frame, at: 1, atoms: atoms),
            decoded.hasPayload, let (topic, envelope) = ForwardToLocal.header(frame, at: payloadOffset)
        else { return 0 }
        var latencies = 0
        let scanned = frame.withUnsafeBufferPointer {
            intake.receive(
                peer: "ex_esdb@host-1", bus: "ex_esdb_metrics", topic: topic, bytes: $0, envelope: envelope,
                arrivedAt: 1_700_000_000, deliver: { message, _ in if case .latency = message { latencies = 1 } })
        }
        if scanned { return latencies }
        guard let received = decodedMessage(frame, at: payloadOffset, topic: topic, intake) else { return 0 }
        guard case .latency = received.message else { return 0 }
        return 1
    }

    /// Whether the frame takes the scanned path (the figure would mean nothing otherwise).
    static func scans(_ frame: [UInt8], _ intake: MessageIntake, _ atoms: AtomInterner) -> Bool {
        guard let (_, payloadOffset) = ControlMessage.sendSender(inFrame: frame, at: 1, atoms: atoms),
            let (topic, envelope) = ForwardToLocal.header(frame, at: payloadOffset)
        else { return false }
        return frame.withUnsafeBufferPointer {
            intake.receive(
                peer: "ex_esdb@host-1", bus: "ex_esdb_metrics", topic: topic, bytes: $0, envelope: envelope,
                arrivedAt: 1_700_000_000, deliver: { _, _ in })
        }
    }

    /// The general path: the payload decoded into a TermView, then verified and decoded.
    static func receiveDecoded(_ frame: [UInt8], _ intake: MessageIntake, _ atoms: inout AtomInterner) -> Int {
        guard let (decoded, payloadOffset) = ControlMessage.sendSender(inFrame: frame, at: 1, atoms: atoms),
            decoded.hasPayload, let received = decodedMessage(frame, at: payloadOffset, topic: nil, intake),
            case .latency = received.message
        else { return 0 }
        return 1
    }

    static func decodedMessage(
        _ frame: [UInt8], at offset: Int, topic: String?, _ intake: MessageIntake
    )
        -> ReceivedMessage?
    {
        guard let payload = try? TermView(parsing: frame, at: offset, wholeInput: true),
            let topic = topic ?? payload.element(1, of: payload.root).flatMap({ payload.text(of: $0) }),
            let envelope = payload.element(2, of: payload.root)
        else { return nil }
        return intake.receive(
            peer: "ex_esdb@host-1", bus: "ex_esdb_metrics", topic: topic, view: payload, message: envelope)
    }
}
