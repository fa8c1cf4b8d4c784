import ErlangDistribution
import ErlangRPC
import ErlangTerm
import GaterMessages
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import PhoenixPubSub

extension ClusterSubscription {
    /// Where to find the cluster and which part of it this instance takes.
    public struct Configuration: Sendable {
        public var seeds: [NodeName]
        /// Ask connected nodes for the rest of the cluster (through `rex`).
        public var discover: Bool
        public var refreshInterval: Duration
        public var shard: Shard
        /// Failed attempts in a row after which a discovered node is forgotten (seeds never are).
        public var giveUpAfter: Int

        public init(
            seeds: [NodeName], discover: Bool = true, refreshInterval: Duration = .seconds(30), shard: Shard = .all,
            giveUpAfter: Int = 8
        ) {
            self.seeds = seeds
            self.discover = discover
            self.refreshInterval = refreshInterval
            self.shard = shard
            self.giveUpAfter = giveUpAfter
        }
    }
}

/// Where the cluster's verified, typed messages go.
public protocol MessageConsumer: Sendable {
    /// Each accepted message, on the thread that read it, in the order its node sent them (for
    /// several nodes, on several threads at once). It must not block: work that must wait is
    /// handed on. Borrowed from where it was made, with its origin beside it: copied into a
    /// `ReceivedMessage`, each of its texts would cost a retain and a release more.
    func consume(_ message: borrowing GaterMessage, peer: String, bus: String, topic: String, receivedAt: Double)
}

extension MessageConsumer {
    /// The same for a message the general path decoded, already held with its origin.
    func consume(_ received: ReceivedMessage) {
        consume(
            received.message, peer: received.peer, bus: received.bus, topic: received.topic,
            receivedAt: received.receivedAt)
    }
}

/// Follows the ExESDB buses on every node of a cluster: connects to the seeds, discovers the
/// other nodes, subscribes on each node of its shard after every (re)connection, and hands every
/// verified, typed message with its node and topic to its consumer, on the thread that read it.
///
/// Gauges: `exesdb_exporter_peer_up{peer}` (connected and subscribed) and `exesdb_up`.
public final class ClusterSubscription: Sendable {
    private let node: LocalNode
    private let dial: @Sendable (NodeName) -> NodeConnection
    private let pubsub: PubSubSubscriber
    private let intake: MessageIntake
    private let departed: @Sendable (String) -> Void
    private let cluster: ClusterSubscription.Configuration
    private let logger: Logger
    private let metrics: any MetricsFactory
    private let known = NIOLockedValueBox<Set<String>>([])
    /// The nodes connected and subscribed now, each with the number of its connection (one more
    /// for every connection that came up), so a watcher tells a reconnection from the same link.
    private let subscribed = NIOLockedValueBox<(peers: [String: UInt64], connections: UInt64)>(([:], 0))
    /// The connection to each node followed, for its state.
    private let connections = NIOLockedValueBox<[String: NodeConnection]>([:])
    private let newNodes: AsyncStream<NodeName>
    private let newNodeSink: AsyncStream<NodeName>.Continuation

    /// `dial` makes the connection to one node (its cookie, TLS, EPMD and ticks are the caller's).
    /// `departed` is told the name of each discovered node given up on, after its `peer_up`
    /// series is set to 0: the caller removes that node's per-node series (seeds are never
    /// given up on, so their series stay, at 0 while they are down).
    public init(
        node: LocalNode, pubsub: PubSubConfiguration, intake: MessageIntake, cluster: ClusterSubscription.Configuration,
        consumer: any MessageConsumer, logger: Logger, metrics: any MetricsFactory = MetricsSystem.factory,
        departed: @escaping @Sendable (String) -> Void = { _ in },
        dial: @escaping @Sendable (NodeName) -> NodeConnection
    ) {
        self.node = node
        self.dial = dial
        self.intake = intake
        self.departed = departed
        self.pubsub = PubSubSubscriber(
            node: node, configuration: pubsub, receiver: BroadcastIntake(intake: intake, consumer: consumer),
            logger: logger)
        self.cluster = cluster
        self.logger = logger
        self.metrics = metrics
        (newNodes, newNodeSink) = AsyncStream<NodeName>.makeStream()
    }

    /// Leaves the PubSub groups on every node: call before stopping, so the nodes drop our
    /// members at once instead of when their monitors fire.
    public func leave() {
        pubsub.leaveAll()
    }

    /// Every node with a connection kept up (or being retried) now, whatever its shard.
    public var followedPeers: Set<String> { known.withLockedValue { $0 } }

    /// Why each node followed but not connected now is not: the failure of its last attempt, or
    /// why its connection ended (`cookie_mismatch`, `epmd_unreachable`, ...).
    public var connectionErrors: [String: String] {
        connections.withLockedValue { $0 }.compactMapValues { connection in
            if case .backingOff(_, let error) = connection.state { return error.reason }
            return nil
        }
    }

    /// The nodes connected and subscribed now.
    public var subscribedPeers: Set<String> { Set(subscribed.withLockedValue { $0.peers.keys }) }

    /// The nodes connected and subscribed now, each with the number of its connection: a node
    /// that reconnected (or restarted) since has another.
    public var subscribedConnections: [String: UInt64] { subscribed.withLockedValue { $0.peers } }

    /// Runs until cancelled; then leaves the PubSub groups on every node before the connections close.
    public func run() async {
        Gauge(label: ClusterFamilies.up.name, factory: metrics).record(0)
        // At 0 from the start, so that an alert on increase() sees the first departure.
        Counter(label: ClusterFamilies.peerDepartures.name, factory: metrics).increment(by: 0)
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await self.pubsub.run() }
            tasks.addTask { await self.connectAll(seeds: self.cluster.seeds) }
            if cluster.discover {
                tasks.addTask { await self.refreshPeriodically() }
            }
            await withTaskCancellationHandler {
                await tasks.waitForAll()
            } onCancel: {
                // Leave first: the frames go out before the cancelled connections close.
                self.pubsub.leaveAll()
            }
        }
    }

    // MARK: - Connections

    private func connectAll(seeds: [NodeName]) async {
        for seed in seeds { newNodeSink.yield(seed) }
        let seedNames = Set(seeds.map(\.description))
        await withDiscardingTaskGroup { connections in
            for await name in newNodes {
                guard known.withLockedValue({ $0.insert(name.description).inserted }) else { continue }
                let isSeed = seedNames.contains(name.description)
                connections.addTask { await self.follow(name, isSeed: isSeed) }
            }
        }
    }

    private func follow(_ name: NodeName, isSeed: Bool) async {
        // At 0 from the start, so a node that never connects (another cookie, not registered)
        // is seen down by `ExESDBPeerDown`, not missing.
        if cluster.shard.owns(name.description) {
            Gauge(label: ClusterFamilies.peerUp.name, dimensions: [("peer", name.description)], factory: metrics)
                .record(
                    0)
        }
        let connection = dial(name)
        connections.withLockedValue { $0[name.description] = connection }
        defer { connections.withLockedValue { $0[name.description] = nil } }
        await withDiscardingTaskGroup { tasks in
            tasks.addTask { await self.handle(connection.events) }
            await connection.run(giveUpAfter: isSeed ? nil : cluster.giveUpAfter)
        }
        known.withLockedValue { _ = $0.remove(name.description) }
        guard !Task.isCancelled else { return }
        // Given up on (a discovered node that left the cluster): its per-node series go.
        intake.forget(peer: name.description)
        departed(name.description)
        Counter(label: ClusterFamilies.peerDepartures.name, factory: metrics).increment()
        logger.info(
            "stopped following a node that could not be reached; its per-node series are removed",
            metadata: ["peer": "\(name)"])
    }

    private func handle(_ events: AsyncStream<ConnectionEvent>) async {
        for await event in events {
            switch event {
            case .up(let peer, _):
                if cluster.shard.owns(peer) {
                    pubsub.peerUp(peer)
                    setSubscribed(peer, true)
                } else {
                    logger.debug("connected for discovery only: another shard's node", metadata: ["peer": "\(peer)"])
                }
                if cluster.discover { await discover(from: peer) }
            case .down(let peer, _):
                pubsub.peerDown(peer)
                setSubscribed(peer, false)
            case .attemptFailed:
                break  // the connection's state and log already say it; nothing was subscribed
            }
        }
    }

    private func setSubscribed(_ peer: String, _ up: Bool) {
        let count = subscribed.withLockedValue { subscribed -> Int in
            if up {
                subscribed.connections += 1
                subscribed.peers[peer] = subscribed.connections
            } else {
                subscribed.peers[peer] = nil
            }
            return subscribed.peers.count
        }
        Gauge(label: ClusterFamilies.peerUp.name, dimensions: [("peer", peer)], factory: metrics).record(up ? 1 : 0)
        Gauge(label: ClusterFamilies.up.name, factory: metrics).record(count > 0 ? 1 : 0)
    }

    // MARK: - Discovery

    private func refreshPeriodically() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: cluster.refreshInterval)
            for peer in node.connectedPeers { await discover(from: peer) }
        }
    }

    /// Asks `peer` for its nodes and follows those of our shard not followed yet.
    private func discover(from peer: String) async {
        guard let names = await RexClient(node: node).nodes(of: peer) else {
            logger.debug("could not list the nodes of a peer through rex", metadata: ["peer": "\(peer)"])
            return
        }
        for name in names where cluster.shard.owns(name) {
            guard let parsed = try? NodeName(parsing: name), !known.withLockedValue({ $0.contains(name) }) else {
                continue
            }
            logger.info("discovered a node", metadata: ["peer": "\(name)", "via": "\(peer)"])
            newNodeSink.yield(parsed)
        }
    }
}

/// Each broadcast our members get, opened, verified and decoded by the intake on the thread that
/// read it, and handed to the consumer there: read straight from the bytes it came in when it has
/// the shapes ExESDBGater sends; decoded through a `TermView` otherwise, and then counted if it is
/// no term at all.
final class BroadcastIntake: BroadcastReceiver {
    private let intake: MessageIntake
    private let consumer: any MessageConsumer

    init(intake: MessageIntake, consumer: any MessageConsumer) {
        self.intake = intake
        self.consumer = consumer
    }

    func receive(_ broadcast: WireBroadcast) {
        let taken = intake.receive(
            peer: broadcast.peer, bus: broadcast.bus, topic: broadcast.topic, bytes: broadcast.bytes,
            envelope: broadcast.message, arrivedAt: broadcast.arrivedAt
        ) { message, receivedAt in
            consumer.consume(
                message, peer: broadcast.peer, bus: broadcast.bus, topic: broadcast.topic, receivedAt: receivedAt)
        }
        if taken { return }
        if let owned = broadcast.owned() {
            receive(owned)
        } else {
            intake.rejectUnreadable(peer: broadcast.peer, bus: broadcast.bus, topic: broadcast.topic)
        }
    }

    func receive(_ broadcast: Broadcast) {
        guard let (view, message) = broadcast.decoded() else {
            intake.rejectUnreadable(peer: broadcast.peer, bus: broadcast.bus, topic: broadcast.topic)
            return
        }
        if let received = intake.receive(
            peer: broadcast.peer, bus: broadcast.bus, topic: broadcast.topic, view: view, message: message)
        {
            consumer.consume(received)
        }
    }
}
