import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOSSL

/// One accepted connection: TLS when the web configuration in force has `tls_server_config`,
/// HTTP/1.1 (and 1.0), the connection's deadlines and its keep-alive handling, then Hummingbird's
/// request loop. The TLS context is taken when the connection is accepted, so a reload changes new
/// connections only: established ones keep the certificates they were made with.
struct WebChannel: HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let webConfiguration: LiveWebConfiguration
    let limits: ConnectionLimits
    let rejections: HTTPRejections
    /// The exporter's logger (the `logger` Hummingbird passes keeps notices only).
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let tls = webConfiguration.loaded.tls
        let (limits, rejections, exporterLogger) = (limits, rejections, self.logger)
        return channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            let deadlines = ConnectionDeadlines(limits: limits, rejections: rejections, logger: exporterLogger)
            try pipeline.addHandler(RequestBytesWatcher(deadlines: deadlines))
            if let tls {
                try pipeline.addHandler(
                    NIOSSLServerHandler(
                        context: tls.context, customVerificationCallback: tls.verification, configuration: .init()))
                try pipeline.addHandler(HandshakeFailureCounter(rejections: rejections, logger: exporterLogger))
            }
            // As Hummingbird's HTTP1Channel sets it up, with our handler between the HTTP/1 codec
            // and the conversion to HTTP types (which drops the request's version).
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(), withDecoderLimitConfiguration: Self.decoderLimits)
            try pipeline.addHandler(HTTPExchangeHandler(deadlines: deadlines))
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: tls != nil))
            // Closes idle connections on a graceful shutdown, lets answers in flight finish.
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            return try NIOAsyncChannel(
                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }

    /// Hummingbird's defaults: 80 KiB of headers, 1000 fields at most.
    private static var decoderLimits: NIOHTTPDecoderLimitConfiguration {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = 80 * 1024
        limits.maxHeaderListSize = 80 * 1024
        limits.maxHeaderFieldCount = 1000
        return limits
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
