import NIOCore
import NIOPosix

/// Where a node accepts distribution connections, as EPMD reports it.
public struct NodeAddress: Sendable, Equatable {
    public let host: String
    public let port: Int
    public let highestVersion: Int
    public let lowestVersion: Int
    public let isHidden: Bool
}

/// A client of the Erlang Port Mapper Daemon (erts `erl_dist_protocol.md`, "EPMD Protocol").
public struct EPMDClient: Sendable {
    public let port: Int
    private let group: any EventLoopGroup
    private let timeout: TimeAmount

    /// `port` defaults to `ERL_EPMD_PORT` when set, else 4369.
    public init(
        group: any EventLoopGroup, port: Int? = nil, environment: [String: String] = [:],
        timeout: TimeAmount = .seconds(5)
    ) {
        self.group = group
        self.port = port ?? environment["ERL_EPMD_PORT"].flatMap { Int($0) } ?? 4369
        self.timeout = timeout
    }

    /// PORT_PLEASE2: the distribution port of node `alive` on `host`.
    public func address(of alive: String, host: String) async throws(DistributionError) -> NodeAddress {
        var request: [UInt8] = [122]
        request += Array(alive.utf8)
        let reply = try await exchange(host: host, request: request) { _ in false }
        return try Self.parsePort2(reply, alive: alive, host: host)
    }

    /// NAMES: every node registered on `host` with its port, for diagnostics.
    public func names(host: String) async throws(DistributionError) -> [(name: String, port: Int)] {
        let reply = try await exchange(host: host, request: [110]) { _ in false }
        guard reply.count >= 4 else { throw .epmdProtocol(host: host, detail: "NAMES reply of \(reply.count) bytes") }
        let text = String(decoding: reply.dropFirst(4), as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard words.count == 5, words[0] == "name", let port = Int(words[4]) else { return nil }
            return (String(words[1]), port)
        }
    }

    static func parsePort2(_ reply: [UInt8], alive: String, host: String) throws(DistributionError) -> NodeAddress {
        guard reply.count >= 2, reply[0] == 119 else {
            throw .epmdProtocol(
                host: host, detail: "PORT_PLEASE2 reply starts with \(reply.first.map(String.init) ?? "nothing")")
        }
        guard reply[1] == 0 else { throw .nodeNotRegistered(alive: alive, host: host) }
        guard reply.count >= 12 else { throw .epmdProtocol(host: host, detail: "PORT2_RESP of \(reply.count) bytes") }
        let port = Int(reply[2]) << 8 | Int(reply[3])
        return NodeAddress(
            host: host, port: port, highestVersion: Int(reply[6]) << 8 | Int(reply[7]),
            lowestVersion: Int(reply[8]) << 8 | Int(reply[9]), isHidden: reply[4] == 72)
    }

    /// Sends one request and collects the reply until EPMD closes or `isComplete` says enough.
    func exchange(
        host: String, request: [UInt8], isComplete: @escaping @Sendable ([UInt8]) -> Bool
    ) async throws(DistributionError) -> [UInt8] {
        let (channel, reply) = try await open(host: host, request: request, isComplete: isComplete)
        do {
            let bytes = try await reply.get()
            try? await channel.close()
            return bytes
        } catch {
            try? await channel.close()
            throw .epmdUnreachable(host: host, port: port, reason: "\(error)")
        }
    }

    /// Opens a connection, sends `request`, and returns the channel with the future reply.
    func open(
        host: String, request: [UInt8], isComplete: @escaping @Sendable ([UInt8]) -> Bool
    ) async throws(DistributionError) -> (any Channel, EventLoopFuture<[UInt8]>) {
        let loop = group.next()
        let promise = loop.makePromise(of: [UInt8].self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        EPMDReplyHandler(promise: promise, isComplete: isComplete))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            promise.fail(error)
            throw .epmdUnreachable(host: host, port: port, reason: "\(error)")
        }
        var framed = channel.allocator.buffer(capacity: request.count + 2)
        framed.writeInteger(UInt16(request.count))
        framed.writeBytes(request)
        channel.writeAndFlush(framed, promise: nil)
        loop.scheduleTask(in: timeout) { promise.fail(ChannelError.connectTimeout(timeout)) }
        return (channel, promise.futureResult)
    }
}

/// Collects EPMD's reply bytes.
private final class EPMDReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let promise: EventLoopPromise<[UInt8]>
    private let isComplete: @Sendable ([UInt8]) -> Bool
    private var received: [UInt8] = []

    init(promise: EventLoopPromise<[UInt8]>, isComplete: @escaping @Sendable ([UInt8]) -> Bool) {
        self.promise = promise
        self.isComplete = isComplete
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received += buffer.readBytes(length: buffer.readableBytes) ?? []
        if isComplete(received) { promise.succeed(received) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.succeed(received)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
