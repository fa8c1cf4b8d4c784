import ErlangTerm
import Foundation
import Logging
import Metrics
import Synchronization

/// A verified, decoded message with where it came from.
public struct ReceivedMessage: Sendable {
    /// The node that broadcast it.
    public let peer: String
    public let bus: String
    public let topic: String
    public let message: GaterMessage
    /// When it arrived here (Unix seconds).
    public let receivedAt: Double

    public init(peer: String, bus: String, topic: String, message: GaterMessage, receivedAt: Double) {
        self.peer = peer
        self.bus = bus
        self.topic = topic
        self.message = message
        self.receivedAt = receivedAt
    }
}

/// Opens, decodes and counts each broadcast: `exesdb_exporter_messages_total{bus,type}`,
/// `exesdb_exporter_messages_rejected_total{bus,reason}` and
/// `exesdb_exporter_last_message_timestamp_seconds{peer,bus}`. A rejection is logged once per
/// (peer, bus, reason) at warning level, then at debug.
///
/// Each (peer, bus) has its own channel holding its metric handles and the peer's remembered
/// signature style, so a message costs no label lookups; the channel of the previous message is
/// checked first, since broadcasts come in runs from one peer and bus.
public final class MessageIntake: Sendable {
    private let core: IntakeCore
    private let channels = Mutex<BusIntakeDirectory>(BusIntakeDirectory())

    public init(secret: SecretKeyBase?, logger: Logger, metrics: any MetricsFactory = MetricsSystem.factory) {
        self.core = IntakeCore(verifier: EnvelopeVerifier(secret: secret), logger: logger, metrics: metrics)
        if secret == nil {
            logger.warning(
                "no SECRET_KEY_BASE configured: unsigned messages are accepted and signed ones rejected as unverifiable; set \(GaterSetting.secret) or SECRET_KEY_BASE"
            )
        }
    }

    /// The typed message, or nil when it was rejected (and counted).
    public func receive(peer: String, bus: String, topic: String, view: TermView, message: TermRef) -> ReceivedMessage?
    {
        channel(peer: peer, bus: bus).receive(topic: topic, view: view, message: message)
    }

    /// A broadcast read straight from the bytes it arrived in, without a `TermView`:
    /// `bytes[envelope...]` is its envelope, followed by the rest of the `forward_to_local` tuple.
    /// The typed message when it is signed and of the shapes ExESDBGater sends; nil when the
    /// general path must read it (`receive(peer:bus:topic:view:message:)`), which then counts
    /// and logs whatever it finds.
    public func receive(
        peer: String, bus: String, topic: String, bytes: UnsafeBufferPointer<UInt8>, envelope: Int
    ) -> ReceivedMessage? {
        var received: ReceivedMessage?
        _ = receive(
            peer: peer, bus: bus, topic: topic, bytes: bytes, envelope: envelope,
            arrivedAt: Date().timeIntervalSince1970
        ) { message, receivedAt in
            received = ReceivedMessage(
                peer: peer, bus: bus, topic: topic, message: copy message, receivedAt: receivedAt)
        }
        return received
    }

    /// As `receive(peer:bus:topic:bytes:envelope:)`, for a broadcast that arrived at `arrivedAt`
    /// (Unix seconds; the read's time, one clock reading for all its frames), handing the typed
    /// message and that time to `deliver` on this thread where it is made; false when the general
    /// path must read the broadcast. The ingest path takes this one: a message returned up through
    /// the intake's layers was moved at each of them, and one wrapped with its origin in a
    /// `ReceivedMessage` retained and released each of its texts once more.
    public func receive(
        peer: String, bus: String, topic: String, bytes: UnsafeBufferPointer<UInt8>, envelope: Int,
        arrivedAt: Double, deliver: (borrowing GaterMessage, _ receivedAt: Double) -> Void
    ) -> Bool {
        channel(peer: peer, bus: bus).receive(
            topic: topic, bytes: bytes, envelope: envelope, arrivedAt: arrivedAt, deliver: deliver)
    }

    /// A message to a bus member that is no `forward_to_local` term: counted as `malformed` and
    /// logged like the others.
    public func rejectUnreadable(peer: String, bus: String, topic: String) {
        channel(peer: peer, bus: bus).reject(.malformed, topic: topic)
    }

    /// Each (peer, bus) seen so far: when its last message was accepted and how many of each kind.
    public func channelStatus() -> [BusIntakeStatus] {
        let channels = channels.withLock { directory in directory.byPeer.values.flatMap(\.values) }
        return channels.map(\.status)
    }

    /// Forgets the channels of a node no longer followed: if it comes back, its series and
    /// handles are made anew (the store removed the old ones).
    public func forget(peer: String) {
        channels.withLock { directory in
            directory.byPeer[peer] = nil
            if directory.last?.peer == peer { directory.last = nil }
        }
    }

    func channel(peer: String, bus: String) -> BusIntake {
        channels.withLock { directory in
            if let last = directory.last, last.peer == peer, last.bus == bus { return last }
            let channel = directory.byPeer[peer]?[bus] ?? BusIntake(peer: peer, bus: bus, core: core)
            directory.byPeer[peer, default: [:]][bus] = channel
            directory.last = channel
            return channel
        }
    }

    public static func explain(_ rejection: MessageRejection) -> String {
        switch rejection {
        case .badSignature:
            "its signature does not match: the publisher uses another SECRET_KEY_BASE, or the message was altered"
        case .unsigned: "it is unsigned while a SECRET_KEY_BASE is configured (the ExESDBGater policy)"
        case .unverifiable: "it is signed but no SECRET_KEY_BASE is configured to check it"
        case .malformed:
            "it is not a Phoenix.PubSub forward_to_local carrying an ExESDBGater envelope, or its payload lacks a field its kind needs"
        case .unknownType: "its payload is of a kind this exporter does not know"
        }
    }
}

/// What one (peer, bus) channel has accepted.
public struct BusIntakeStatus: Sendable {
    public let peer: String
    public let bus: String
    /// When its last message was accepted (Unix seconds); nil before the first.
    public let lastAccepted: Double?
    /// Accepted messages by kind, the kinds seen only.
    public let accepted: [GaterMessageKind: Int]
    /// When its last message was rejected (Unix seconds); nil before the first.
    public let lastRejected: Double?
    /// Rejected messages by reason, the reasons seen only.
    public let rejected: [MessageRejection: Int]
}

/// The channels made so far, and the one used last.
struct BusIntakeDirectory {
    var byPeer: [String: [String: BusIntake]] = [:]
    var last: BusIntake?
}

/// What every channel shares.
final class IntakeCore: Sendable {
    let verifier: EnvelopeVerifier
    let decoder = GaterDecoder()
    let logger: Logger
    let metrics: any MetricsFactory
    /// (peer, bus, reason) already logged at warning level.
    let reported = Mutex<Set<String>>([])

    init(verifier: EnvelopeVerifier, logger: Logger, metrics: any MetricsFactory) {
        self.verifier = verifier
        self.logger = logger
        self.metrics = metrics
    }
}

/// The intake of one bus from one peer, with its handles made once: creating a swift-metrics
/// handle per message would cost more than decoding it. Counters by type are made on first use,
/// so only the kinds that happen have series; counters by rejection reason all exist from the
/// start, at 0.
final class BusIntake: Sendable {
    let peer: String
    let bus: String
    private let core: IntakeCore
    private let style: RememberedStyle
    private let lastMessage: Gauge
    /// By kind, made on first use and kept for the channel's life (each holds one retain): read
    /// with one atomic load and no lock, as every accepted message counts in one.
    private let accepted = InlineArray<37, Atomic<Unmanaged<Counter>?>> { _ in Atomic(nil) }
    /// Made with the channel, so that each reason's series exists at 0 before its first
    /// rejection: an alert on `increase(...)` then sees the first one too.
    private let rejected: [Counter]
    /// When the last message was accepted (a Double's bits) and how many of each kind, read by
    /// the landing page and the log's summary without a lock.
    private let lastAccepted = Atomic<UInt64>(0)
    private let tally = InlineArray<37, Atomic<Int>> { _ in Atomic(0) }
    private let texts = TextInterner()
    private let lastRejected = Atomic<UInt64>(0)
    private let rejectedTally = InlineArray<5, Atomic<Int>> { _ in Atomic(0) }

    init(peer: String, bus: String, core: IntakeCore) {
        self.peer = peer
        self.bus = bus
        self.core = core
        self.style = core.verifier.rememberedStyle(for: peer)
        self.lastMessage = Gauge(
            label: MessageFamilies.lastMessage.name, dimensions: [("peer", peer), ("bus", bus)],
            factory: core.metrics)
        self.rejected = MessageRejection.allCases.map { rejection in
            Counter(
                label: MessageFamilies.rejected.name,
                dimensions: [("bus", bus), ("reason", rejection.label)],
                factory: core.metrics)
        }
        // A new kind needs its slot in `tally` (a programmer's error, caught by any test).
        precondition(GaterMessageKind.allCases.count == 37, "BusIntake.tally needs one slot per kind")
        precondition(MessageRejection.allCases.count == 5, "BusIntake.rejectedTally needs one slot per reason")
    }

    func receive(topic: String, view: TermView, message: TermRef) -> ReceivedMessage? {
        let now = Date().timeIntervalSince1970
        lastMessage.record(now)
        let decoding: PayloadDecoding
        switch core.verifier.open(view, message, style: style) {
        case .success(let inner): decoding = core.decoder.decodeReporting(view, inner: inner, sender: peer)
        case .failure(let rejection):
            decoding = PayloadDecoding(
                .failure(rejection), detail: EnvelopeVerifier.detail(of: rejection, view, message))
        }
        switch decoding.outcome {
        case .success(let decoded):
            return accept(decoded, report: decoding.report, topic: topic, at: now)
        case .failure(let rejection):
            count(rejection, topic: topic, detail: decoding.detail)
            return nil
        }
    }

    /// The scanned path: the message handed to `deliver` where it is made (see
    /// `EnvelopeVerifier.scan`); false when the general path must read the broadcast.
    func receive(
        topic: String, bytes: UnsafeBufferPointer<UInt8>, envelope: Int, arrivedAt: Double,
        deliver: (borrowing GaterMessage, _ receivedAt: Double) -> Void
    ) -> Bool {
        core.verifier.scan(bytes, envelope: envelope, style: style, sender: peer, texts: texts) { message, report in
            lastMessage.record(arrivedAt)
            note(message.kind, report: report, topic: topic, at: arrivedAt)
            deliver(message, arrivedAt)
        }
    }

    func reject(_ rejection: MessageRejection, topic: String) {
        lastMessage.record(Date().timeIntervalSince1970)
        count(rejection, topic: topic)
    }

    private func accept(_ message: GaterMessage, report: FieldReport, topic: String, at now: Double) -> ReceivedMessage
    {
        note(message.kind, report: report, topic: topic, at: now)
        return ReceivedMessage(peer: peer, bus: bus, topic: topic, message: message, receivedAt: now)
    }

    /// Counts an accepted message of `kind`, and the fields it could not use.
    private func note(_ kind: GaterMessageKind, report: FieldReport, topic: String, at now: Double) {
        if !report.isEmpty { countIgnored(report, kind: kind, topic: topic) }
        countAccepted(kind)
        tally[kind.position].wrappingAdd(1, ordering: .relaxed)
        lastAccepted.store(now.bitPattern, ordering: .relaxed)
    }

    private func count(_ rejection: MessageRejection, topic: String, detail: String? = nil) {
        counter(of: rejection).increment()
        rejectedTally[rejection.position].wrappingAdd(1, ordering: .relaxed)
        lastRejected.store(Date().timeIntervalSince1970.bitPattern, ordering: .relaxed)
        report(rejection, topic: topic, detail: detail)
    }

    /// Fields a message had but that could not be used: counted by field (the catalogue's names
    /// only, so the labels stay bounded) and logged once per (peer, bus, type, field).
    private func countIgnored(_ report: FieldReport, kind: GaterMessageKind, topic: String) {
        for field in report.ignored {
            Counter(
                label: MessageFamilies.fieldsIgnored.name,
                dimensions: [("bus", bus), ("type", kind.rawValue), ("field", field)], factory: core.metrics
            ).increment()
            let first = core.reported.withLock { $0.insert("\(peer)|\(bus)|\(kind.rawValue)|\(field)").inserted }
            core.logger.log(
                level: first ? .warning : .debug,
                "took a message without a field that could not be used (its other fields are counted as usual)",
                metadata: [
                    "peer": "\(peer)", "bus": "\(bus)", "topic": "\(topic)", "type": "\(kind.rawValue)",
                    "field": "\(field)",
                    "found": "\(report.shape(of: field)?.rawValue ?? "unusable")",
                ])
        }
    }

    private func countAccepted(_ kind: GaterMessageKind) {
        let slot = kind.position
        if let known = accepted[slot].load(ordering: .acquiring) {
            known._withUnsafeGuaranteedRef { $0.increment() }
            return
        }
        let made = Unmanaged.passRetained(
            Counter(
                label: MessageFamilies.accepted.name, dimensions: [("bus", bus), ("type", kind.rawValue)],
                factory: core.metrics))
        // Two threads may make one at once (a node's buses share nothing else): the first stays.
        let (exchanged, kept) = accepted[slot].compareExchange(
            expected: nil, desired: made, ordering: .acquiringAndReleasing)
        if exchanged {
            made._withUnsafeGuaranteedRef { $0.increment() }
        } else {
            made.release()
            kept?._withUnsafeGuaranteedRef { $0.increment() }
        }
    }

    deinit {
        for slot in accepted.indices { accepted[slot].load(ordering: .acquiring)?.release() }
    }

    private func counter(of rejection: MessageRejection) -> Counter { rejected[rejection.position] }

    var status: BusIntakeStatus {
        let bits = lastAccepted.load(ordering: .relaxed)
        var accepted: [GaterMessageKind: Int] = [:]
        for kind in GaterMessageKind.allCases {
            let count = tally[kind.position].load(ordering: .relaxed)
            if count > 0 { accepted[kind] = count }
        }
        var rejected: [MessageRejection: Int] = [:]
        for rejection in MessageRejection.allCases {
            let count = rejectedTally[rejection.position].load(ordering: .relaxed)
            if count > 0 { rejected[rejection] = count }
        }
        let rejectedBits = lastRejected.load(ordering: .relaxed)
        return BusIntakeStatus(
            peer: peer, bus: bus, lastAccepted: bits == 0 ? nil : Double(bitPattern: bits), accepted: accepted,
            lastRejected: rejectedBits == 0 ? nil : Double(bitPattern: rejectedBits), rejected: rejected)
    }

    private func report(_ rejection: MessageRejection, topic: String, detail: String?) {
        let first = core.reported.withLock { $0.insert("\(peer)|\(bus)|\(rejection.label)").inserted }
        var metadata: Logger.Metadata = [
            "peer": "\(peer)", "bus": "\(bus)", "topic": "\(topic)", "reason": "\(rejection.label)",
        ]
        if let detail { metadata["problem"] = "\(detail)" }
        core.logger.log(
            level: first ? .warning : .debug, "rejected a message: \(MessageIntake.explain(rejection))",
            metadata: metadata)
    }
}

extension GaterMessageKind {
    /// Where the kind is in `allCases`.
    var position: Int {
        switch self {
        case .performanceMetric: 0
        case .throughputMetric: 1
        case .latencyMetric: 2
        case .resourceUsage: 3
        case .metricAlert: 4
        case .nodeHealth: 5
        case .clusterHealth: 6
        case .componentHealth: 7
        case .healthCheck: 8
        case .systemAlert: 9
        case .alertAcknowledgement: 10
        case .alertEscalation: 11
        case .notificationStatus: 12
        case .systemLifecycle: 13
        case .systemConfig: 14
        case .featureToggle: 15
        case .nodeLifecycle: 16
        case .processLifecycle: 17
        case .supervision: 18
        case .clusterMembership: 19
        case .dataChange: 20
        case .adminAction: 21
        case .accessLog: 22
        case .complianceEvent: 23
        case .debugTrace: 24
        case .performanceAnalysis: 25
        case .systemState: 26
        case .errorAnalysis: 27
        case .authEvent: 28
        case .accessViolation: 29
        case .securityAlert: 30
        case .sessionEvent: 31
        case .logEntry: 32
        case .logSummary: 33
        case .logFilter: 34
        case .logRotation: 35
        case .logEvent: 36
        }
    }
}

extension MessageRejection {
    /// Where the reason is in `allCases`.
    var position: Int {
        switch self {
        case .badSignature: 0
        case .unsigned: 1
        case .unverifiable: 2
        case .malformed: 3
        case .unknownType: 4
        }
    }
}
