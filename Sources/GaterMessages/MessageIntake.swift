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
    private let handles: MetricHandles

    public init(secret: SecretKeyBase?, logger: Logger, metrics: any MetricsFactory = MetricsSystem.factory) {
        self.verifier = EnvelopeVerifier(secret: secret)
        self.logger = logger
        self.metrics = metrics
        self.handles = MetricHandles(factory: metrics)
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
        handles.lastMessage(peer: peer, bus: bus).record(now)
        let outcome = verifier.open(view, message, peer: peer).flatMap { decoder.decode(view, inner: $0, sender: peer) }
        switch outcome {
        case .success(let decoded):
            handles.accepted(bus: bus, type: decoded.kind.rawValue).increment()
            return ReceivedMessage(peer: peer, bus: bus, topic: topic, message: decoded, receivedAt: now)
        case .failure(let rejection):
            handles.rejected(bus: bus, reason: rejection.label).increment()
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

/// The intake's counters and gauges, made once per label set: creating a swift-metrics handle
/// per message would cost more than decoding it.
final class MetricHandles: Sendable {
    private let factory: any MetricsFactory
    /// label -> first dimension value -> second dimension value -> handle (no key concatenation).
    private let counters = NIOLockedValueBox<[String: [String: [String: Counter]]]>([:])
    private let gauges = NIOLockedValueBox<[String: [String: Gauge]]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func accepted(bus: String, type: String) -> Counter {
        counter("exesdb_exporter_messages_total", ("bus", bus), ("type", type))
    }

    func rejected(bus: String, reason: String) -> Counter {
        counter("exesdb_exporter_messages_rejected_total", ("bus", bus), ("reason", reason))
    }

    func lastMessage(peer: String, bus: String) -> Gauge {
        gauges.withLockedValue { gauges in
            if let gauge = gauges[peer]?[bus] { return gauge }
            let gauge = Gauge(
                label: "exesdb_exporter_last_message_timestamp_seconds", dimensions: [("peer", peer), ("bus", bus)],
                factory: factory)
            gauges[peer, default: [:]][bus] = gauge
            return gauge
        }
    }

    private func counter(_ label: String, _ first: (String, String), _ second: (String, String)) -> Counter {
        counters.withLockedValue { counters in
            if let counter = counters[label]?[first.1]?[second.1] { return counter }
            let counter = Counter(label: label, dimensions: [first, second], factory: factory)
            counters[label, default: [:]][first.1, default: [:]][second.1] = counter
            return counter
        }
    }
}
