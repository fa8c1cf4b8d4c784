import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// Accepts connections from other nodes (off unless asked for): listens, registers the node
/// name in EPMD so nodes can find it, and runs the accepting side of the handshake.
public final class DistributionListener: Sendable {
    /// The node, created with the creation EPMD assigned.
    public let node: LocalNode
    public let port: Int
    public let events: AsyncStream<ConnectionEvent>
    private let server: any Channel
    private let registration: EPMDRegistration?

    /// Binds `host:port` (0 picks a port), registers `name` in EPMD when `epmd` is given, and
    /// returns the listener with the node whose pids carry the assigned creation.
    public static func start(
        name: NodeName, cookie: Cookie, host: String = "0.0.0.0", port: Int = 0,
        configuration: DistributionConfiguration, serverTLS: TLSConfiguration? = nil, epmd: EPMDClient?,
        group: any EventLoopGroup, logger: Logger, metrics: any MetricsFactory = MetricsSystem.factory
    ) async throws(DistributionError) -> DistributionListener {
        let slot = NIOLockedValueBox<LocalNode?>(nil)
        let (events, sink) = AsyncStream<ConnectionEvent>.makeStream()
        let tls = try serverTLS.map { configuration throws(DistributionError) in
            do {
                return try NIOSSLContext(configuration: configuration)
            } catch {
                throw .tls(node: name.description, detail: "our TLS server configuration is unusable: \(error)")
            }
        }
        let accept = Acceptor(
            slot: slot, cookie: cookie, configuration: configuration, tls: tls, logger: logger, metrics: metrics,
            events: sink)
        let server: any Channel
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in accept.initialize(channel) }
                .bind(host: host, port: port).get()
        } catch {
            throw .connectFailed(node: name.description, address: "\(host):\(port)", reason: "cannot listen: \(error)")
        }
        let boundPort = server.localAddress?.port ?? port
        let registration: EPMDRegistration?
        do {
            registration = try await epmd?.register(alive: name.alive, port: boundPort)
        } catch {
            try? await server.close()
            throw error
        }
        let node = LocalNode(name: name, creation: registration?.creation ?? UInt32.random(in: 1...UInt32.max))
        slot.withLockedValue { $0 = node }
        logger.info("listening for nodes", metadata: ["port": "\(boundPort)", "creation": "\(node.creation)"])
        return DistributionListener(
            node: node, port: boundPort, events: events, server: server, registration: registration)
    }

    private init(
        node: LocalNode, port: Int, events: AsyncStream<ConnectionEvent>, server: any Channel,
        registration: EPMDRegistration?
    ) {
        self.node = node
        self.port = port
        self.events = events
        self.server = server
        self.registration = registration
    }

    /// Stops accepting and unregisters from EPMD; established connections stay until they end.
    public func close() async {
        try? await server.close()
        await registration?.close()
    }
}

/// Sets up each accepted connection.
private struct Acceptor: Sendable {
    let slot: NIOLockedValueBox<LocalNode?>
    let cookie: Cookie
    let configuration: DistributionConfiguration
    let tls: NIOSSLContext?
    let logger: Logger
    let metrics: any MetricsFactory
    let events: AsyncStream<ConnectionEvent>.Continuation

    func initialize(_ channel: any Channel) -> EventLoopFuture<Void> {
        guard let node = slot.withLockedValue({ $0 }) else {
            // Not registered yet: nobody can know our name, so this is a stray connection.
            return channel.close()
        }
        let promises = ConnectionPromises(on: channel.eventLoop)
        let handshake = HandshakeState.incoming(
            IncomingHandshake(
                localName: node.name.name, creation: node.creation, cookie: cookie,
                ownChallenge: UInt32.random(in: 0...UInt32.max)))
        let (events, logger, metrics) = (self.events, self.logger, self.metrics)
        promises.handshake.futureResult.whenSuccess { result in
            ConnectionMetrics.recordAttempt(peer: result.peerName, result: "ok", factory: metrics)
            events.yield(.up(peer: result.peerName, result))
        }
        promises.handshake.futureResult.whenFailure { _ in
            promises.closed.futureResult.whenSuccess { reason in
                let peer = reason.peerName ?? "\(channel.remoteAddress.map { "\($0)" } ?? "unknown")"
                ConnectionMetrics.recordAttempt(peer: peer, result: reason.reason, factory: metrics)
                logger.error("refused an incoming connection: \(reason)")
            }
        }
        promises.handshake.futureResult.whenComplete { outcome in
            guard case .success(let result) = outcome else { return }
            promises.closed.futureResult.whenSuccess { reason in
                events.yield(.down(peer: result.peerName, reason: reason))
            }
        }
        return channel.eventLoop.makeCompletedFuture { [self] in
            // First: it counts the connection's own bytes (before TLS) and paces every read.
            try channel.pipeline.syncOperations.addHandler(ReadPacing(floodRate: configuration.floodRate))
            if let tls {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
            }
            try channel.pipeline.syncOperations.addHandler(
                DistributionHandler(
                    handshake: handshake, node: node, configuration: configuration, logger: logger, metrics: metrics,
                    promises: promises, overTLS: tls != nil))
        }
    }
}
