import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// An HTTP receiver on loopback for webhook tests and benchmarks: records every request and
/// answers as told (a status, a hang, a closed connection), over plain HTTP or TLS with a
/// certificate from `TestCertificates`. Keep-alive as HTTP/1.1 does it.
public final class WebhookReceiver: Sendable {
    /// One request as it arrived.
    public struct Request: Sendable {
        public let method: String
        public let uri: String
        /// In arrival order; names as sent.
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]
        /// Unix seconds when its last byte arrived.
        public let arrivedAt: Double

        /// The first value of the header `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        public var text: String { String(decoding: body, as: UTF8.self) }

        /// The body parsed as JSON.
        public func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(body)) }
    }

    /// How to answer a request.
    public enum Reply: Sendable {
        case status(Int, headers: [(String, String)] = [], body: String = "")
        /// Read the request and never answer (the client's timeout fires).
        case hang
        /// Close the connection without answering.
        case close

        public static let ok = Reply.status(200, body: "ok")
    }

    /// Decides the reply to a request; `index` counts the requests before it (from 0).
    public typealias Responder = @Sendable (_ request: Request, _ index: Int) -> Reply

    public let port: Int
    public let isTLS: Bool
    private let channel: any Channel
    private let box: ReceiverBox
    private let state: Mutex<State>

    private struct State {
        var requests: [Request] = []
        var responder: Responder
        var connections = 0
    }

    /// `http://127.0.0.1:port` or `https://localhost:port`.
    public var url: String { isTLS ? "https://localhost:\(port)" : "http://127.0.0.1:\(port)" }

    /// Starts listening on `port` (a free one when nil). With `tls`, over TLS with its server
    /// certificate; with `requireClientCertificate` too, only clients showing a certificate of
    /// its CA get through.
    public static func start(
        port: Int? = nil, tls: TestCertificates? = nil, requireClientCertificate: Bool = false,
        responder: @escaping Responder = { _, _ in .ok }
    ) async throws -> WebhookReceiver {
        let sslContext = try tls.map { certificates in
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.serverCertificate).map {
                    .certificate($0)
                },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.serverKey, format: .pem)))
            if requireClientCertificate {
                configuration.certificateVerification = .noHostnameVerification
                configuration.trustRoots = .file(certificates.caCertificate)
            }
            return try NIOSSLContext(configuration: configuration)
        }
        let box = ReceiverBox()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                box.children.withLock { $0.append(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RecordingHandler(box: box))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: port ?? 0).get()
        let receiver = WebhookReceiver(
            port: channel.localAddress?.port ?? 0, isTLS: tls != nil, channel: channel, box: box, responder: responder)
        box.receiver.withLock { $0 = receiver }
        return receiver
    }

    private init(port: Int, isTLS: Bool, channel: any Channel, box: ReceiverBox, responder: @escaping Responder) {
        self.port = port
        self.isTLS = isTLS
        self.channel = channel
        self.box = box
        state = Mutex(State(responder: responder))
    }

    /// Replaces how requests are answered from now on.
    public func respond(with responder: @escaping Responder) {
        state.withLock { $0.responder = responder }
    }

    public var requests: [Request] { state.withLock { $0.requests } }

    /// TCP connections accepted so far (fewer than requests when connections are reused).
    public var connections: Int { state.withLock { $0.connections } }

    /// Waits until at least `count` requests arrived; returns all of them.
    public func waitForRequests(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [Request] {
        let arrived = try await poll(timeout: timeout, every: .milliseconds(10)) { () -> [Request]? in
            let requests = self.requests
            return requests.count >= count ? requests : nil
        }
        if let arrived { return arrived }
        throw ErlangTools.Failure(description: "\(requests.count) of \(count) requests arrived within \(timeout)")
    }

    /// Stops listening and closes every connection.
    public func stop() async {
        try? await channel.close()
        for child in box.children.withLock({ $0 }) { try? await child.close() }
    }

    fileprivate func record(_ request: Request) -> Reply {
        state.withLock { state in
            state.requests.append(request)
            return state.responder(request, state.requests.count - 1)
        }
    }

    fileprivate func connected() { state.withLock { $0.connections += 1 } }
}

/// Lets the channel handlers reach the receiver once it exists.
private final class ReceiverBox: Sendable {
    let receiver = Mutex<WebhookReceiver?>(nil)
    let children = Mutex<[any Channel]>([])
}

private final class RecordingHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let box: ReceiverBox
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(box: ReceiverBox) { self.box = box }

    func channelActive(context: ChannelHandlerContext) {
        box.receiver.withLock { $0 }?.connected()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head, let receiver = box.receiver.withLock({ $0 }) else { return }
            let request = WebhookReceiver.Request(
                method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) },
                body: body, arrivedAt: Date().timeIntervalSince1970)
            answer(receiver.record(request), keepAlive: head.isKeepAlive, context: context)
        }
    }

    private func answer(_ reply: WebhookReceiver.Reply, keepAlive: Bool, context: ChannelHandlerContext) {
        switch reply {
        case .hang: return
        case .close: context.close(promise: nil)
        case .status(let code, let extra, let text):
            var headers = HTTPHeaders(extra)
            headers.add(name: "Content-Length", value: "\(text.utf8.count)")
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            let head = HTTPResponseHead(
                version: .http1_1, status: HTTPResponseStatus(statusCode: code), headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            let channel = context.channel
            if !keepAlive { done.whenComplete { _ in channel.close(promise: nil) } }
        }
    }
}
