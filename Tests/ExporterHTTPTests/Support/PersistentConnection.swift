import NIOCore
import NIOPosix
import NIOSSL

/// One TLS connection held open across several HTTP/1.1 requests, to show what a reload does to
/// connections that already exist. Requests and answers are written and read as raw bytes.
final class PersistentConnection {
    struct Answer {
        let status: Int
        let body: String
    }

    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var pending: [UInt8] = []

    private init(
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Connects to 127.0.0.1:`port` trusting only `caFile`, runs `body`, then closes.
    static func with<T>(
        port: Int, trusting caFile: String, _ body: (PersistentConnection) async throws -> T
    ) async throws -> T {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(caFile)
        let context = try NIOSSLContext(configuration: tls)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = try NIOSSLClientHandler(context: context, serverHostname: "localhost")
                    try channel.pipeline.syncOperations.addHandler(handler)
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(PersistentConnection(inbound: inbound.makeAsyncIterator(), outbound: outbound))
        }
    }

    /// GET `path` on this connection, with an optional `Authorization` value.
    func get(_ path: String, authorization: String? = nil) async throws -> Answer {
        var request = "GET \(path) HTTP/1.1\r\nHost: localhost\r\n"
        if let authorization { request += "Authorization: \(authorization)\r\n" }
        try await outbound.write(ByteBuffer(string: request + "\r\n"))
        let head = try await readHead()
        let lines = head.split(separator: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let length =
            lines.first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        return Answer(status: status, body: String(decoding: try await read(length), as: UTF8.self))
    }

    private func readHead() async throws -> String {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let end = pending.indices.first(where: { pending[$0...].starts(with: separator) }) {
                let head = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeFirst(end + separator.count)
                return head
            }
            try await receive()
        }
    }

    private func read(_ count: Int) async throws -> [UInt8] {
        while pending.count < count { try await receive() }
        defer { pending.removeFirst(count) }
        return Array(pending[..<count])
    }

    private func receive() async throws {
        guard let buffer = try await inbound.next() else { throw ConnectionClosed() }
        pending += buffer.readableBytesView
    }

    struct ConnectionClosed: Error {}
}
