import ClusterSubscription
import ErlangDistribution
import GaterMessages
import Logging
import NIOCore
import ServiceLifecycle

/// Follows the ExESDB cluster and hands every accepted message to `consume`.
struct ClusterService: Service, CustomStringConvertible {
    let setup: ClusterSetup
    let group: any EventLoopGroup
    let logger: Logger
    let status: ClusterStatus
    let consume: @Sendable (ReceivedMessage) async -> Void

    /// What ServiceLifecycle logs: names only, never the setup (it holds the cookie).
    var description: String { "ClusterService(name: \(setup.local), nodes: \(setup.peers))" }

    private struct ShutdownRequested: Error {}

    func run() async throws {
        if setup.insecureTLS {
            logger.warning(
                "TLS certificate verification is off (--erlang.tls.insecure-skip-verify): anyone can impersonate a node"
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
        let subscription = makeSubscription(node: node, epmd: epmd)
        status.attach(subscription)
        logger.info(
            "joining as a hidden node",
            metadata: ["name": "\(setup.local)", "nodes": "\(setup.peers)", "shard": "\(setup.shard)"])
        // On SIGTERM or SIGINT: leave the PubSub groups first, give the frames a moment, then stop.
        try? await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { await subscription.run() }
            tasks.addTask { await deliver(subscription.messages) }
            tasks.addTask {
                try await gracefulShutdown()
                subscription.leave()
                try await Task.sleep(for: .milliseconds(200))
                throw ShutdownRequested()
            }
        }
        await listener?.close()
    }

    private func makeSubscription(node: LocalNode, epmd: EPMDClient) -> ClusterSubscription {
        let (cookie, configuration, group, logger) = (setup.cookie, setup.configuration, group, logger)
        return ClusterSubscription(
            node: node, pubsub: setup.pubsub, intake: MessageIntake(secret: setup.secret, logger: logger),
            cluster: ClusterConfiguration(
                seeds: setup.peers, discover: setup.discover, refreshInterval: setup.refreshInterval,
                shard: setup.shard),
            logger: logger
        ) { peer in
            NodeConnection(
                peer: peer, node: node, cookie: cookie, configuration: configuration, epmd: epmd, group: group,
                logger: logger)
        }
    }

    private func deliver(_ messages: AsyncStream<ReceivedMessage>) async {
        var counts: [String: Int] = [:]
        var lastSummary = ContinuousClock.now
        for await received in messages {
            status.record(received)
            await consume(received)
            counts[received.message.kind.rawValue, default: 0] += 1
            logger.debug(
                "message",
                metadata: [
                    "peer": "\(received.peer)", "bus": "\(received.bus)", "topic": "\(received.topic)",
                    "type": "\(received.message.kind.rawValue)",
                ])
            if ContinuousClock.now - lastSummary >= .seconds(60) || counts.values.reduce(0, +) == 1 {
                logger.info("messages received", metadata: ["by_type": "\(counts.sorted { $0.key < $1.key })"])
                lastSummary = ContinuousClock.now
            }
        }
    }
}
