import ErlangDistribution
import Logging
import NIOCore
import ServiceLifecycle

/// Keeps a connection to every configured node and logs what happens to each.
struct ClusterService: Service, CustomStringConvertible {
    let setup: ClusterSetup
    let group: any EventLoopGroup
    let logger: Logger

    /// What ServiceLifecycle logs: names only, never the setup (it holds the cookie).
    var description: String { "ClusterService(name: \(setup.local), nodes: \(setup.peers))" }

    func run() async throws {
        if setup.insecureTLS {
            logger.warning(
                "TLS certificate verification is off (--erlang.tls.insecure-skip-verify): anyone can impersonate a node"
            )
        }
        let epmd = EPMDClient(group: group, port: setup.epmdPort)
        let node: LocalNode
        var listener: DistributionListener?
        if setup.listen {
            let started = try await DistributionListener.start(
                name: setup.local, cookie: setup.cookie, configuration: setup.configuration, epmd: epmd, group: group,
                logger: logger)
            node = started.node
            listener = started
        } else {
            node = LocalNode(name: setup.local, creation: UInt32.random(in: 1...UInt32.max))
        }
        logger.info("joining as a hidden node", metadata: ["name": "\(setup.local)", "nodes": "\(setup.peers)"])
        let connections = setup.peers.map {
            NodeConnection(
                peer: $0, node: node, cookie: setup.cookie, configuration: setup.configuration, epmd: epmd,
                group: group, logger: logger)
        }
        // SIGTERM or SIGINT cancels the connections, which close their sockets and end their events.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { tasks in
                for connection in connections {
                    tasks.addTask { await connection.run() }
                    tasks.addTask { await log(connection.events) }
                }
            }
        }
        await listener?.close()
    }

    private func log(_ events: AsyncStream<ConnectionEvent>) async {
        for await event in events {
            switch event {
            case .up(let peer, _): logger.info("node up", metadata: ["peer": "\(peer)"])
            case .down(let peer, let reason): logger.warning("node down: \(reason)", metadata: ["peer": "\(peer)"])
            }
        }
    }
}
