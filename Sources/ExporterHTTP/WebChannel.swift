import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// The HTTP/1.1 child channel wrapped in TLS when the web configuration in force has
/// `tls_server_config`. The context is taken when the connection is accepted, so a reload changes
/// new connections only: established ones keep the certificates they were made with.
struct WebChannel<Base: HTTPChannelHandler>: HTTPChannelHandler {
    typealias Value = Base.Value

    let base: Base
    let webConfiguration: LiveWebConfiguration
    let rejections: HTTPRejections
    /// The exporter's logger (the `logger` Hummingbird passes keeps notices only).
    let logger: Logger

    var responder: HTTPChannelHandler.Responder { base.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let tls = webConfiguration.loaded.tls
        return channel.eventLoop.makeCompletedFuture {
            if let tls {
                let handler = NIOSSLServerHandler(
                    context: tls.context, customVerificationCallback: tls.verification, configuration: .init())
                try channel.pipeline.syncOperations.addHandler(handler)
                try channel.pipeline.syncOperations.addHandler(
                    HandshakeFailureCounter(rejections: rejections, logger: self.logger))
            }
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Counts and logs (at debug: scanners would flood a higher level) failed TLS handshakes.
final class HandshakeFailureCounter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let rejections: HTTPRejections
    private let logger: Logger

    init(rejections: HTTPRejections, logger: Logger) {
        self.rejections = rejections
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case NIOSSLError.handshakeFailed(let reason) = error {
            rejections.tlsHandshake.increment()
            logger.debug(
                "TLS handshake failed",
                metadata: ["peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")", "reason": "\(reason)"])
        }
        context.fireErrorCaught(error)
    }
}
