import Aggregation
import ClusterSubscription
@_spi(Benchmarks) import ErlangDistribution
import ErlangTerm
import GaterMessages
import Logging
import MetricsStore
import NIOPosix
import PhoenixPubSub

/// The frame dispatcher (`FrameDispatcher`), wired as the executable wires it for one peer: the
/// PubSub members, the intake (scan, HMAC, decode) and the aggregation into a metrics store, as
/// in the ingest pass benchmark. A frame is one distribution frame without its length.
///
/// Beyond not crashing: a frame not of type 112 or whose control message is no term ends the
/// connection, and a frame whose control message and payload are terms never does; the fast
/// readers of SEND_SENDER (`ControlMessage.sendSender(inFrame:)`, `SendSenderHead`) answer what
/// the general decoding answers, payload offset included; every control message decoded comes
/// back the same from its own term.
final class FrameTarget: FuzzTarget {
    static let peer = "ex_esdb@host-1.example"
    let node = LocalNode(name: NodeName(alive: "exesdb_exporter", host: "fuzz"), creation: 7)
    let store = MetricsStore()
    let subscription: ClusterSubscription
    let dispatcher: FrameDispatcher
    let atoms: AtomInterner
    /// The product's limit for a connection's frames (`DistributionConfiguration`), smaller
    /// bounds for the rest so that libFuzzer meets them.
    let limits = TermDecodingLimits(maxDepth: 64, maxBigIntegerBytes: 512, maxDecompressedBytes: 1 << 16)

    init() throws {
        let logger = {
            var logger = Logger(label: "fuzz")
            logger.logLevel = .critical
            return logger
        }()
        // As the exporter registers them at start: the intake's and the subscription's too.
        for family in AggregationFamilies.families() + MessageFamilies.all + ClusterFamilies.all {
            try store.register(family)
        }
        let factory = MetricsStoreFactory(store: store)
        let aggregator = try Aggregator(store: store, alertTTL: .seconds(300), logger: logger)
        let intake = MessageIntake(secret: SecretKeyBase(ScannerTarget.secret), logger: logger, metrics: factory)
        let node = self.node
        subscription = ClusterSubscription(
            node: node, pubsub: PubSubConfiguration(), intake: intake,
            cluster: ClusterSubscription.Configuration(seeds: [NodeName(alive: "ex_esdb", host: "host-1.example")]),
            consumer: Consumer(aggregator: aggregator), logger: logger, metrics: factory
        ) { name in
            // Never called: the subscription is not started, no node is dialled.
            NodeConnection(
                peer: name, node: node, cookie: Cookie("unused"), configuration: DistributionConfiguration(),
                epmd: EPMDClient(group: MultiThreadedEventLoopGroup.singleton, port: 1),
                group: MultiThreadedEventLoopGroup.singleton, logger: logger, metrics: factory)
        }
        dispatcher = FrameDispatcher(
            peer: Self.peer, node: node, route: Route(), limits: limits, logger: logger, metrics: factory)
        atoms = AtomInterner(known: [node.name, Atom(Self.peer)])
    }

    func run(_ input: [UInt8]) {
        let general = (try? TermView(parsing: input, at: 1, limits: limits)).map { view in
            (view, try? ControlMessage(view))
        }
        if let fast = ControlMessage.sendSender(inFrame: input, at: 1, atoms: atoms) {
            require(
                general?.1 == fast.message,
                "sendSender(inFrame:) read \(fast.message), the general decoding \(String(describing: general?.1))")
            require(general?.0.endOffset == fast.payloadOffset, "sendSender(inFrame:) puts the payload elsewhere")
        }
        let head = input.withUnsafeBufferPointer { SendSenderHead($0, at: 1, atoms: atoms) }
        if let head {
            require(
                general?.1 == .sendSender(from: head.from, to: head.to) && general?.0.endOffset == head.payloadOffset,
                "SendSenderHead read \(head.from) to \(head.to), the general decoding \(String(describing: general?.1))"
            )
        }
        if let control = general?.1 {
            require((try? ControlMessage(control.term)) == control, "\(control) comes back otherwise from its term")
        }
        var failure: DistributionError?
        input.withUnsafeBufferPointer { frame in
            do throws(DistributionError) { try dispatcher.dispatch(frame) } catch { failure = error }
        }
        guard input.first == 112, let (view, control) = general else {
            require(
                failure != nil,
                "a frame of type \(input.first.map(String.init) ?? "none") or with no control term was taken")
            return
        }
        let payloadIsTerm =
            control?.hasPayload != true
            || (try? TermView(parsing: input, at: view.endOffset, wholeInput: true, limits: limits)) != nil
        if payloadIsTerm {
            require(
                failure == nil, "a frame whose parts are terms ended the connection: \(String(describing: failure))")
        }
    }

    /// Frames as a peer sends them: each broadcast to the metrics member as SEND_SENDER and as
    /// REG_SEND, and a control message of every kind the dispatcher acts on.
    func seeds(broadcasts: [[UInt8]]) -> [[UInt8]] {
        let from = Pid(node: Atom(Self.peer), id: 101, serial: 0, creation: 1_700_000_001)
        let memberName = Atom("Elixir.ex_esdb_metrics.Adapter")
        guard let member = node.whereis(memberName) else { return [] }
        let reference = Reference(node: Atom(Self.peer), creation: 1_700_000_001, words: [1, 2, 3])
        var frames = broadcasts.prefix(40).flatMap { broadcast -> [[UInt8]] in
            [
                [112] + ControlMessage.sendSender(from: from, to: member).term.encoded() + broadcast,
                [112] + ControlMessage.registeredSend(from: from, to: memberName).term.encoded() + broadcast,
            ]
        }
        let controls: [(ControlMessage, Term?)] = [
            (.link(from: from, to: member), nil), (.unlink(from: from, to: member), nil),
            (.unlinkID(id: 7, from: from, to: member), nil),
            (.monitor(from: from, target: .pid(member), reference: reference), nil),
            (.demonitor(from: from, target: .name(memberName), reference: reference), nil),
            (.exit(from: from, to: member, reason: .atom("normal")), nil),
            (.payloadExit(from: from, to: member), .atom("killed")),
            (.monitorExit(from: .pid(from), to: member, reference: reference, reason: .atom("noproc")), nil),
            (.send(to: member), .tuple([.atom("hello"), 1])),
            (.aliasSend(from: from, alias: reference), .atom("ping")),
            (.spawnReply(request: reference, to: member, flags: 0, result: .atom("ok")), nil),
        ]
        for (control, payload) in controls {
            frames.append([112] + control.term.encoded() + (payload?.encoded() ?? []))
        }
        return frames
    }

    /// As the executable's consumer, without webhooks.
    struct Consumer: MessageConsumer {
        let aggregator: Aggregator
        func consume(_ message: borrowing GaterMessage, peer: String, bus: String, topic: String, receivedAt: Double) {
            aggregator.record(message, peer: peer, topic: topic, at: receivedAt)
        }
    }

    /// Answers (unlink acknowledgements, spawn refusals) go nowhere.
    final class Route: PeerRoute {
        let peerName = FrameTarget.peer
        let negotiated = DistributionFlags.advertised
        func send(_ control: ControlMessage, payload: Term?) {}
    }
}
