import ErlangTerm
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers

/// A verified, decoded message with where it came from.
public struct ReceivedMessage: Sendable {
    /// The node that broadcast it.
    public let peer: String
    public let bus: String
    public let topic: String
    public let message: GaterMessage
    /// When it arrived here (Unix seconds).
    public let receivedAt: Double
}

/// Opens, decodes and counts each broadcast: `exesdb_exporter_messages_total{bus,type}`,
/// `exesdb_exporter_messages_rejected_total{bus,reason}` and
/// `exesdb_exporter_last_message_timestamp_seconds{peer,bus}`. A rejection is logged once per
/// (peer, bus, reason) at warning level, then at debug.
public final class MessageIntake: Sendable {
    private let verifier: EnvelopeVerifier
    private let decoder = GaterDecoder()
    private let metrics: any MetricsFactory
    private let logger: Logger
    private let reported = NIOLockedSet()

    public init(secret: SecretKeyBase?, logger: Logger, metrics: any MetricsFactory = MetricsSystem.factory) {
        self.verifier = EnvelopeVerifier(secret: secret)
        self.logger = logger
        self.metrics = metrics
        if secret == nil {
            logger.warning(
                "no SECRET_KEY_BASE configured: unsigned messages are accepted and signed ones rejected as unverifiable; set --security.secret-key-base-file or SECRET_KEY_BASE"
            )
        }
    }

    /// The typed message, or nil when it was rejected (and counted).
    public func receive(peer: String, bus: String, topic: String, view: TermView, message: TermRef) -> ReceivedMessage?
    {
        let now = Date().timeIntervalSince1970
        Gauge(
            label: "exesdb_exporter_last_message_timestamp_seconds", dimensions: [("peer", peer), ("bus", bus)],
            factory: metrics
        )
        .record(now)
        let outcome = verifier.open(view, message, peer: peer).flatMap { decoder.decode(view, inner: $0, sender: peer) }
        switch outcome {
        case .success(let decoded):
            Counter(
                label: "exesdb_exporter_messages_total", dimensions: [("bus", bus), ("type", decoded.kind.rawValue)],
                factory: metrics
            )
            .increment()
            return ReceivedMessage(peer: peer, bus: bus, topic: topic, message: decoded, receivedAt: now)
        case .failure(let rejection):
            Counter(
                label: "exesdb_exporter_messages_rejected_total",
                dimensions: [("bus", bus), ("reason", rejection.label)], factory: metrics
            )
            .increment()
            report(rejection, peer: peer, bus: bus, topic: topic)
            return nil
        }
    }

    private func report(_ rejection: MessageRejection, peer: String, bus: String, topic: String) {
        let first = reported.insert("\(peer)|\(bus)|\(rejection.label)")
        logger.log(
            level: first ? .warning : .debug, "rejected a message: \(Self.explain(rejection))",
            metadata: ["peer": "\(peer)", "bus": "\(bus)", "topic": "\(topic)", "reason": "\(rejection.label)"])
    }

    static func explain(_ rejection: MessageRejection) -> String {
        switch rejection {
        case .badSignature:
            "its signature does not match: the publisher uses another SECRET_KEY_BASE, or the message was altered"
        case .unsigned: "it is unsigned while a SECRET_KEY_BASE is configured (the ExESDBGater policy)"
        case .unverifiable: "it is signed but no SECRET_KEY_BASE is configured to check it"
        case .malformed: "it is not an ExESDBGater envelope, or its payload lacks a field its kind needs"
        case .unknownType: "its payload is of a kind this exporter does not know"
        }
    }
}

/// A thread-safe set of strings, for "log once" decisions.
final class NIOLockedSet: Sendable {
    private let values = NIOLockedValueBox<Set<String>>([])

    /// True when `value` was not there before.
    func insert(_ value: String) -> Bool {
        values.withLockedValue { $0.insert(value).inserted }
    }
}
