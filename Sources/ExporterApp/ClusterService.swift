import Aggregation
import BEAMCollector
import ClusterSubscription
import ErlangDistribution
import GaterMessages
import Logging
import MetricsStore
import NIOCore
import ServiceLifecycle
import WebhookForwarder

/// Follows the ExESDB cluster and hands every accepted message to `consumer`, on the thread that
/// read it.
public struct ClusterService: Service, CustomStringConvertible {
    let setup: ErlangSettings
    let group: any EventLoopGroup
    let logger: Logger
    let status: ClusterStatus
    let consumer: any MessageConsumer
    /// Removes the per-node series of a node no longer followed.
    let departed: @Sendable (String) -> Void
    /// The BEAM collector's settings and the store it writes to; nil when it is off.
    public var beam: (configuration: BEAMCollectorConfiguration, store: MetricsStore)? = nil

    public init(
        setup: ErlangSettings, group: any EventLoopGroup, logger: Logger, status: ClusterStatus,
        consumer: any MessageConsumer, departed: @escaping @Sendable (String) -> Void
    ) {
        self.setup = setup
        self.group = group
        self.logger = logger
        self.status = status
        self.consumer = consumer
        self.departed = departed
    }

    /// What ServiceLifecycle logs: names only, never the setup (it holds the cookie).
    public var description: String { "ClusterService(name: \(setup.local), nodes: \(setup.peers))" }

    private struct ShutdownRequested: Error {}

    public func run() async throws {
        if setup.insecureTLS {
            logger.warning(
                "TLS certificate verification is off (\(Flags.tlsInsecure.flag.dashed)): anyone can impersonate a node"
            )
        }
        let epmd = EPMDClient(group: group, port: setup.epmdPort)
        var listener: DistributionListener?
        let node: LocalNode
        if setup.listen {
            listener = try await DistributionListener.start(
                name: setup.local, cookie: setup.cookie, configuration: setup.configuration, epmd: epmd, group: group,
                logger: logger)
            node = listener?.node ?? LocalNode(name: setup.local, creation: 1)
        } else {
            node = LocalNode(name: setup.local, creation: UInt32.random(in: 1...UInt32.max))
        }
        let intake = MessageIntake(secret: setup.secret, logger: logger)
        let subscription = makeSubscription(node: node, epmd: epmd, intake: intake)
        status.attach(subscription, intake: intake)
        logger.info(
            "joining as a hidden node",
            metadata: ["name": "\(setup.local)", "nodes": "\(setup.peers)", "shard": "\(setup.shard)"])
        // On SIGTERM or SIGINT: leave the PubSub groups first, give the frames a moment, then stop.
        let collector = try beam.map { beam in
            try BEAMCollector(
                node: node, store: beam.store, configuration: beam.configuration, logger: logger,
                followed: { subscription.subscribedConnections })
        }
        try? await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { await subscription.run() }
            tasks.addTask { await summarize(intake) }
            if let collector { tasks.addTask { await collector.run() } }
            tasks.addTask {
                try await gracefulShutdown()
                subscription.leave()
                try await Task.sleep(for: .milliseconds(200))
                throw ShutdownRequested()
            }
        }
        await listener?.close()
    }

    private func makeSubscription(node: LocalNode, epmd: EPMDClient, intake: MessageIntake) -> ClusterSubscription {
        let (cookie, configuration, group, logger) = (setup.cookie, setup.configuration, group, logger)
        return ClusterSubscription(
            node: node, pubsub: setup.pubsub, intake: intake,
            cluster: ClusterSubscription.Configuration(
                seeds: setup.peers, discover: setup.discover, refreshInterval: setup.refreshInterval,
                shard: setup.shard),
            consumer: consumer, logger: logger, departed: departed
        ) { peer in
            NodeConnection(
                peer: peer, node: node, cookie: cookie, configuration: configuration, epmd: epmd, group: group,
                logger: logger)
        }
    }

    /// Logs the messages accepted so far by kind: once the first has arrived, then every minute.
    private func summarize(_ intake: MessageIntake) async {
        var logged = false
        var last = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            guard logged ? ContinuousClock.now - last >= .seconds(60) : true else { continue }
            var counts: [String: Int] = [:]
            for channel in intake.channelStatus() {
                for (kind, count) in channel.accepted { counts[kind.rawValue, default: 0] += count }
            }
            guard !counts.isEmpty else { continue }
            logger.info("messages received", metadata: Self.summary(counts))
            (logged, last) = (true, ContinuousClock.now)
        }
    }
}

extension ClusterService {
    /// Each message type with its count as a field of its own (`latency_metric=12`): the types
    /// are the bounded set of payload tags, so they cannot collide with the line's other keys.
    static func summary(_ counts: [String: Int]) -> Logger.Metadata {
        counts.mapValues { .stringConvertible($0) }
    }
}
