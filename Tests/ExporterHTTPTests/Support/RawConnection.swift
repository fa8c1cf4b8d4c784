import NIOCore
import NIOPosix

/// A plain TCP connection on loopback, written and read as bytes: for slow and silent clients,
/// HTTP/1.0 and connections the server is expected to close.
final class RawConnection {
    let channel: any Channel
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var pending: [UInt8] = []
    /// When the connect began: the server's timers for this connection start later (at its
    /// accept), so a duration from here is never shorter than the server's, however late this
    /// task ran after the connect (on a busy machine, up to a tenth of a second and more).
    let connectStarted: ContinuousClock.Instant

    private init(
        channel: any Channel, inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, connectStarted: ContinuousClock.Instant
    ) {
        self.connectStarted = connectStarted
        self.channel = channel
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Connects to 127.0.0.1:`port`, runs `body`, then closes.
    static func with<T>(port: Int, _ body: (RawConnection) async throws -> T) async throws -> T {
        let connectStarted = ContinuousClock.now
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(
                RawConnection(
                    channel: channel.channel, inbound: inbound.makeAsyncIterator(), outbound: outbound,
                    connectStarted: connectStarted))
        }
    }

    func send(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// One answer: its head (status line and headers) and a body of its Content-Length.
    func answer() async throws -> (head: String, body: String) {
        let separator = Array("\r\n\r\n".utf8)
        var end: Int?
        while end == nil {
            end = pending.indices.first { pending[$0...].starts(with: separator) }
            if end == nil { guard try await receive() else { throw Closed() } }
        }
        let headEnd = end ?? 0
        let head = String(decoding: pending[..<headEnd], as: UTF8.self)
        pending.removeFirst(headEnd + separator.count)
        let length =
            head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        while pending.count < length { guard try await receive() else { throw Closed() } }
        defer { pending.removeFirst(length) }
        return (head, String(decoding: pending[..<length], as: UTF8.self))
    }

    /// Sends `byte` every `interval` while the server keeps the connection, for at most
    /// `limit`; returns how long after the connect the server closed it, nil when it did not.
    func trickle(_ byte: String, every interval: Duration, for limit: Duration) async -> Duration? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            guard channel.isActive, (try? await send(byte)) != nil else { return ContinuousClock.now - connectStarted }
            try? await Task.sleep(for: interval)
        }
        return channel.isActive ? nil : ContinuousClock.now - connectStarted
    }

    /// How long after `since` (the connect by default) the server closed the connection while
    /// we sent nothing (reading what it sent meanwhile); nil when it was still open `limit`
    /// after the call. One last look after it.
    func closedByServer(within limit: Duration, since: ContinuousClock.Instant? = nil) async throws -> Duration? {
        let (deadline, start) = (ContinuousClock.now + limit, since ?? connectStarted)
        while ContinuousClock.now < deadline {
            if !channel.isActive { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(20))
        }
        return channel.isActive ? nil : ContinuousClock.now - start
    }

    /// Whether more bytes arrived before the server closed.
    func leftover() -> [UInt8] { pending }

    private func receive() async throws -> Bool {
        guard let buffer = try await inbound.next() else { return false }
        pending += buffer.readableBytesView
        return true
    }

    struct Closed: Error {}
}
