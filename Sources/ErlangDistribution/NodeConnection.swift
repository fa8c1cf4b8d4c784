import ErlangTerm
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// What a connection reports to the modules above it.
public enum ConnectionEvent: Sendable, Equatable {
    case up(peer: String, HandshakeResult)
    case down(peer: String, reason: DistributionError)
    /// An attempt that never came up (EPMD, connect, handshake): reported as it happens, so a
    /// watcher learns every failure even when the next attempt has already replaced the state.
    case attemptFailed(peer: String, reason: DistributionError)
}

/// Where a connection is in its life.
public enum ConnectionState: Sendable, Equatable {
    case idle
    case resolving
    case connecting
    case handshaking
    case up(HandshakeResult)
    case backingOff(attempt: Int, after: DistributionError)
    case stopped
}

/// The connection to one peer node, kept up for as long as `run()` runs: EPMD lookup, connect,
/// handshake, then frames until the connection ends, then backoff and again.
public final class NodeConnection: Sendable {
    public let peer: NodeName
    public let events: AsyncStream<ConnectionEvent>
    private let eventSink: AsyncStream<ConnectionEvent>.Continuation
    private let node: LocalNode
    private let cookie: Cookie
    private let configuration: DistributionConfiguration
    private let epmd: EPMDClient
    private let group: any EventLoopGroup
    private let logger: Logger
    private let metrics: any MetricsFactory
    private let stateBox = NIOLockedValueBox(ConnectionState.idle)

    public init(
        peer: NodeName, node: LocalNode, cookie: Cookie, configuration: DistributionConfiguration,
        epmd: EPMDClient, group: any EventLoopGroup, logger: Logger, metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.peer = peer
        self.node = node
        self.cookie = cookie
        self.configuration = configuration
        self.epmd = epmd
        self.group = group
        var logger = logger
        logger[metadataKey: "peer"] = "\(peer)"
        self.logger = logger
        self.metrics = metrics
        (events, eventSink) = AsyncStream<ConnectionEvent>.makeStream()
    }

    public var state: ConnectionState { stateBox.withLockedValue { $0 } }

    /// Connects and reconnects until the task is cancelled, or, with `giveUpAfter`, until that
    /// many attempts in a row have failed (a node that left the cluster).
    public func run(giveUpAfter: Int? = nil) async {
        var random = SystemRandomNumberGenerator()
        var attempt = 0
        while !Task.isCancelled {
            let (reason, wasUp) = await connectOnce()
            if Task.isCancelled { break }
            attempt = wasUp ? 0 : attempt + 1
            if !wasUp { eventSink.yield(.attemptFailed(peer: peer.description, reason: reason)) }
            if let giveUpAfter, attempt >= giveUpAfter {
                logger.warning("giving up after \(attempt) failed attempts: \(reason)")
                break
            }
            let delay = configuration.backoff.delay(attempt: max(attempt - 1, 0), using: &random)
            setState(.backingOff(attempt: attempt, after: reason))
            logger.log(
                level: wasUp ? .warning : .error, "\(reason)",
                metadata: ["retry_in_seconds": "\(Double(delay.nanoseconds) / 1e9)"])
            try? await Task.sleep(nanoseconds: UInt64(max(delay.nanoseconds, 0)))
        }
        setState(.stopped)
        eventSink.finish()
    }

    /// One attempt: returns why it ended and whether the connection was up in between.
    private func connectOnce() async -> (DistributionError, Bool) {
        let handler: NIOLoopBound<DistributionHandler>
        let promises: ConnectionPromises
        do {
            setState(.resolving)
            let address = try await epmd.address(of: peer.alive, host: peer.host)
            setState(.connecting)
            (handler, promises) = try await connect(to: address)
        } catch {
            count(error.reason)
            return (error, false)
        }
        let result: HandshakeResult
        do {
            setState(.handshaking)
            result = try await withTaskCancellationHandler {
                try await promises.handshake.futureResult.get()
            } onCancel: {
                Self.close(handler, reason: .shutdown)
            }
        } catch {
            let reason = (try? await promises.closed.futureResult.get()) ?? .shutdown
            count(reason.reason)
            return (reason, false)
        }
        count("ok")
        setState(.up(result))
        logger.info(
            "connected", metadata: ["flags": "\(result.negotiated.rawValue)", "creation": "\(result.peerCreation)"])
        eventSink.yield(.up(peer: result.peerName, result))
        let reason = await withTaskCancellationHandler {
            (try? await promises.closed.futureResult.get()) ?? .shutdown
        } onCancel: {
            Self.close(handler, reason: .shutdown)
        }
        // How an established connection ended counts too (tick_timeout, frame_too_large,
        // corrupt_frame, closed_by_peer), except our own shutdown.
        if reason != .shutdown { count(reason.reason) }
        eventSink.yield(.down(peer: result.peerName, reason: reason))
        return (reason, true)
    }

    private static func close(_ handler: NIOLoopBound<DistributionHandler>, reason: DistributionError) {
        handler.eventLoop.execute {
            guard let context = handler.value.context else { return }
            handler.value.fail(reason, context: context)
        }
    }

    private func connect(
        to address: NodeAddress
    ) async throws(DistributionError) -> (NIOLoopBound<DistributionHandler>, ConnectionPromises) {
        let tls = try configuration.tls.map { configuration throws(DistributionError) in
            do {
                return try NIOSSLContext(configuration: configuration)
            } catch {
                throw .tls(node: peer.description, detail: "our TLS configuration is unusable: \(error)")
            }
        }
        let loop = group.next()
        let promises = ConnectionPromises(on: loop)
        let handshake = HandshakeState.outgoing(
            OutgoingHandshake(
                localName: node.name.name, peerLabel: peer.description, creation: node.creation, cookie: cookie,
                ownChallenge: UInt32.random(in: 0...UInt32.max), useVersion5: address.highestVersion < 6))
        let created = loop.makePromise(of: NIOLoopBound<DistributionHandler>.self)
        let (node, configuration, logger, metrics) = (self.node, self.configuration, self.logger, self.metrics)
        let serverHostname = peer.host
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(configuration.handshakeTimeout)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // First: it counts the connection's own bytes (before TLS) and paces every read.
                    try channel.pipeline.syncOperations.addHandler(ReadPacing(floodRate: configuration.floodRate))
                    if let tls {
                        let hostname = serverHostname.first?.isNumber == true ? nil : serverHostname
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls, serverHostname: hostname))
                    }
                    // Built on the channel's loop, where it lives; handed back through `created`.
                    let handler = DistributionHandler(
                        handshake: handshake, node: node, configuration: configuration, logger: logger,
                        metrics: metrics, promises: promises, overTLS: tls != nil)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    created.succeed(NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }
        do {
            _ = try await bootstrap.connect(host: address.host, port: address.port).get()
            return (try await created.futureResult.get(), promises)
        } catch {
            created.fail(error)
            promises.handshake.fail(error)
            promises.closed.succeed(.shutdown)
            throw .connectFailed(node: peer.description, address: "\(address.host):\(address.port)", reason: "\(error)")
        }
    }

    private func setState(_ state: ConnectionState) {
        stateBox.withLockedValue { $0 = state }
    }

    private func count(_ result: String) {
        ConnectionMetrics.recordAttempt(peer: peer.description, result: result, factory: metrics)
    }
}
