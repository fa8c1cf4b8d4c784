import NIOCore
import NIOHTTP1

/// Answers each request in its own HTTP version and closes the connection after the response
/// when the request did not ask to keep it (HTTP/1.0 without `Connection: keep-alive`, or
/// `Connection: close`), as RFC 9112 section 9.3 has it; tells the deadlines when a request has
/// been read and when its response has ended. Sits between NIO's HTTP/1 codec and the
/// conversion to HTTP types, which forgets the request's version.
final class HTTPExchangeHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private struct Exchange {
        let version: HTTPVersion
        let keepAlive: Bool
    }

    private let deadlines: ConnectionDeadlines
    /// The requests read and not yet answered, oldest first (pipelined requests queue here).
    private var exchanges = CircularBuffer<Exchange>()

    init(deadlines: ConnectionDeadlines) { self.deadlines = deadlines }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): exchanges.append(Exchange(version: head.version, keepAlive: head.isKeepAlive))
        case .end: deadlines.requestRead()
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            if let exchange = exchanges.first {
                if exchange.version == .http1_0 { head.version = .http1_0 }
                if !exchange.keepAlive {
                    head.headers.replaceOrAdd(name: "connection", value: "close")
                } else if exchange.version == .http1_0 {
                    head.headers.replaceOrAdd(name: "connection", value: "keep-alive")
                }
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            let exchange = exchanges.popFirst()
            deadlines.responseEnded()
            guard exchange?.keepAlive == false else { return context.write(data, promise: promise) }
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(data, promise: written)
            let channel = context.channel
            written.futureResult.assumeIsolated().whenComplete { result in
                promise?.completeWith(result)
                channel.close(promise: nil)
            }
        }
    }
}
