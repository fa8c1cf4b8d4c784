import ErlangTerm
import Foundation
import Logging
import Metrics
import NIOCore
import NIOSSL
import NIOTLS

/// How a connection's outcome reaches the task supervising it.
struct ConnectionPromises: Sendable {
    let handshake: EventLoopPromise<HandshakeResult>
    let closed: EventLoopPromise<DistributionError>

    init(on loop: any EventLoop) {
        handshake = loop.makePromise()
        closed = loop.makePromise()
    }
}

/// One distribution connection on its event loop: the outgoing handshake with 2-byte framing,
/// then 4-byte frames, ticks both ways, and dispatch of every frame.
///
/// `handshake` completes when the peer is authenticated; `closed` always completes, with the
/// reason the connection ended.
final class DistributionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        case handshaking(HandshakeState)
        case connected(FrameDispatcher)
        case closed
    }

    let handshake: EventLoopPromise<HandshakeResult>
    let closed: EventLoopPromise<DistributionError>
    private var phase: Phase
    private var peerLabel: String
    /// TLS distribution frames handshake messages with 4 bytes of length (`{packet, 4}` from the
    /// start in OTP's inet_tls_dist); plain TCP uses 2 until the handshake is done.
    private let handshakeLengthBytes: Int
    private let node: LocalNode
    private let configuration: DistributionConfiguration
    private let logger: Logger
    private let metrics: any MetricsFactory
    private var inbound = ByteBuffer()
    private var failure: DistributionError?
    private var lastReceived = NIODeadline.now()
    private var timers: [Scheduled<Void>] = []
    private var ticker: RepeatedTask?
    /// The pipeline context, for closing from outside the pipeline (shutdown).
    private(set) var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    init(
        handshake: HandshakeState, node: LocalNode, configuration: DistributionConfiguration, logger: Logger,
        metrics: any MetricsFactory, promises: ConnectionPromises, overTLS: Bool = false
    ) {
        self.handshakeLengthBytes = overTLS ? 4 : 2
        self.phase = .handshaking(handshake)
        self.peerLabel = handshake.peerLabel
        self.node = node
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.handshake = promises.handshake
        self.closed = promises.closed
    }

    // MARK: - Channel events

    func channelActive(context: ChannelHandlerContext) {
        guard case .handshaking(let state) = phase else { return }
        for message in state.openingMessages { writeHandshakeMessage(message, context: context) }
        let timeout = configuration.handshakeTimeout
        let loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        timers.append(
            context.eventLoop.scheduleTask(in: timeout) {
                guard case .handshaking = loopBoundSelf.value.phase else { return }
                let seconds = Double(timeout.nanoseconds) / 1e9
                loopBoundSelf.value.fail(
                    .handshakeTimeout(node: loopBoundSelf.value.peerLabel, seconds: seconds),
                    context: loopBoundContext.value)
            })
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        lastReceived = .now()
        do {
            if case .connected(let dispatcher) = phase {
                try receive(&bytes, dispatcher: dispatcher)
            } else {
                inbound.writeBuffer(&bytes)
                try receiveHandshake(context: context)
            }
        } catch {
            fail(error, context: context)
        }
        if inbound.readableBytes == 0 {
            inbound.clear()
        } else if inbound.readerIndex > 1 << 20 {
            inbound.discardReadBytes()
        }
    }

    /// Frames after the handshake, dispatched straight from the read's buffer: only a frame cut
    /// in two by the reads is copied (into `inbound`, until it is whole), and the tail of the read.
    private func receive(_ bytes: inout ByteBuffer, dispatcher: FrameDispatcher) throws(DistributionError) {
        if inbound.readableBytes > 0 {
            guard try completeFrame(from: &bytes) else { return }
            try dispatchFrames(in: &inbound, dispatcher: dispatcher)
            if case .closed = phase { return }
        }
        try dispatchFrames(in: &bytes, dispatcher: dispatcher)
        if bytes.readableBytes > 0, !isClosed { inbound.writeBuffer(&bytes) }
    }

    private var isClosed: Bool {
        if case .closed = phase { return true }
        return false
    }

    /// Moves from `bytes` into `inbound` what the frame begun there lacks; true once it is whole.
    private func completeFrame(from bytes: inout ByteBuffer) throws(DistributionError) -> Bool {
        if inbound.readableBytes < 4 {
            guard var head = bytes.readSlice(length: min(4 - inbound.readableBytes, bytes.readableBytes)) else {
                return false
            }
            inbound.writeBuffer(&head)
            guard inbound.readableBytes == 4 else { return false }
        }
        let length = Int(inbound.getInteger(at: inbound.readerIndex, as: UInt32.self) ?? 0)
        try checkFrameLength(length)
        let missing = 4 + length - inbound.readableBytes
        guard var rest = bytes.readSlice(length: min(missing, bytes.readableBytes)) else { return false }
        inbound.writeBuffer(&rest)
        return inbound.readableBytes == 4 + length
    }

    /// Dispatches every whole frame at the front of `buffer` in one pass over its bytes, and
    /// leaves what follows them (a frame not yet whole) unread.
    private func dispatchFrames(in buffer: inout ByteBuffer, dispatcher: FrameDispatcher) throws(DistributionError) {
        var failure: DistributionError?
        let arrivedAt = Date().timeIntervalSince1970
        let consumed = buffer.withUnsafeReadableBytes { raw -> Int in
            raw.withMemoryRebound(to: UInt8.self) { bytes -> Int in
                var offset = 0
                while bytes.count - offset >= 4 {
                    let length = Int(BigEndian.u32(bytes, offset))
                    do throws(DistributionError) {
                        try checkFrameLength(length)
                        guard bytes.count - offset - 4 >= length else { break }
                        // A zero-length frame is a tick: receiving it is all it asks for.
                        if length > 0 {
                            try dispatcher.dispatch(
                                UnsafeBufferPointer(rebasing: bytes[(offset + 4)..<(offset + 4 + length)]),
                                arrivedAt: arrivedAt)
                        }
                    } catch {
                        failure = error
                        break
                    }
                    offset += 4 + length
                    if isClosed { break }
                }
                return offset
            }
        }
        buffer.moveReaderIndex(forwardBy: consumed)
        if let failure { throw failure }
    }

    private func checkFrameLength(_ length: Int) throws(DistributionError) {
        guard length <= configuration.maxFrameSize else {
            throw .frameTooLarge(node: peerLabel, size: length, limit: configuration.maxFrameSize)
        }
    }

    /// Handshake messages one by one; once connected, the rest of `inbound` as frames.
    private func receiveHandshake(context: ChannelHandlerContext) throws(DistributionError) {
        while let frame = try nextFrame() {
            try handle(frame, context: context)
            if case .connected(let dispatcher) = phase {
                try dispatchFrames(in: &inbound, dispatcher: dispatcher)
                return
            }
            if isClosed { return }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted(let protocolName) = event {
            logger.debug("TLS established", metadata: ["alpn": "\(protocolName ?? "none")"])
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let reason = failure ?? closeReasonFromPeer()
        if case .connected(let dispatcher) = phase { node.detach(dispatcher.route) }
        phase = .closed
        for timer in timers { timer.cancel() }
        ticker?.cancel()
        handshake.fail(reason)
        closed.succeed(reason)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOSSLError || error is BoringSSLError {
            fail(.tls(node: peerLabel, detail: Self.describeTLSFailure(error, peer: peerLabel)), context: context)
        } else if failure == nil {
            // A reset or read error: the peer went away, at whatever stage we were.
            fail(closeReasonFromPeer(detail: "\(error)"), context: context)
        }
    }

    /// Says which side refused which certificate, from BoringSSL's reason codes.
    static func describeTLSFailure(_ error: any Error, peer: String) -> String {
        let text = "\(error)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "we rejected the certificate node \(peer) presented (not signed by a CA in our trust roots, "
                + "expired, or not issued for its host name): \(text)"
        }
        if text.contains("ALERT") {
            return "node \(peer) rejected our certificate or TLS settings (check that its CA signed our certificate "
                + "and that both sides allow a common TLS version): \(text)"
        }
        return text
    }

    /// Ends the connection for `reason` (a local decision: shutdown, dead peer, corrupt frame).
    func fail(_ reason: DistributionError, context: ChannelHandlerContext) {
        if failure == nil { failure = reason }
        context.close(promise: nil)
    }

    private func closeReasonFromPeer(detail: String? = nil) -> DistributionError {
        switch phase {
        case .handshaking(let state) where state.awaitsDigestVerdict:
            // Erlang closes without a word when our digest is wrong.
            return .cookieMismatch(node: peerLabel)
        case .handshaking(let state) where state.awaitsStatus:
            // OTP closes without a status when it refuses the name message itself.
            let refusal =
                "refused our name message: it runs the other name kind (short vs long names), "
                + "keeps a net_kernel allow list, or requires distribution flags we do not offer (we offer "
                + DistributionFlags.advertised.names.joined(separator: ", ") + ")"
            return .handshakeClosed(node: peerLabel, stage: refusal + (detail.map { "; \($0)" } ?? ""))
        case .handshaking(let state):
            return .handshakeClosed(node: peerLabel, stage: state.stage + (detail.map { ": \($0)" } ?? ""))
        default:
            return .closedByPeer(node: peerLabel)
        }
    }

    // MARK: - Frames

    /// The next handshake message in `inbound`, with its 2-byte length (4 over TLS).
    private func nextFrame() throws(DistributionError) -> ByteBuffer? {
        let size = handshakeLengthBytes
        guard inbound.readableBytes >= size else { return nil }
        let length: Int
        if size == 2 {
            length = Int(inbound.getInteger(at: inbound.readerIndex, as: UInt16.self) ?? 0)
        } else {
            length = Int(inbound.getInteger(at: inbound.readerIndex, as: UInt32.self) ?? 0)
        }
        try checkFrameLength(length)
        guard inbound.readableBytes >= size + length else { return nil }
        inbound.moveReaderIndex(forwardBy: size)
        return inbound.readSlice(length: length)
    }

    private func handle(_ frame: ByteBuffer, context: ChannelHandlerContext) throws(DistributionError) {
        guard case .handshaking(var state) = phase else { return }
        logger.debug(
            "handshake message received",
            metadata: [
                "tag": "\(frame.readableBytesView.first.map { Character(Unicode.Scalar($0)) } ?? " ")",
                "stage": "\(state.stage)",
            ])
        let (replies, result) = try state.receive(Array(frame.readableBytesView))
        phase = .handshaking(state)
        peerLabel = state.peerLabel
        for reply in replies { writeHandshakeMessage(reply, context: context) }
        if let result { connected(result, context: context) }
    }

    private func connected(_ result: HandshakeResult, context: ChannelHandlerContext) {
        for timer in timers { timer.cancel() }
        timers.removeAll()
        let link = PeerLink(peerName: result.peerName, negotiated: result.negotiated, channel: context.channel)
        node.attach(link)
        phase = .connected(
            FrameDispatcher(
                peer: result.peerName, node: node, route: link, limits: configuration.termLimits, logger: logger,
                metrics: metrics))
        startTicking(context: context, peer: result.peerName)
        handshake.succeed(result)
    }

    /// Ticks every quarter of net_ticktime; a peer silent for the whole of it is declared dead.
    private func startTicking(context: ChannelHandlerContext, peer: String) {
        let interval = TimeAmount.nanoseconds(configuration.netTickTime.nanoseconds / 4)
        let tickTime = configuration.netTickTime
        let loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        ticker = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            let handler = loopBoundSelf.value
            let context = loopBoundContext.value
            if NIODeadline.now() - handler.lastReceived > tickTime {
                handler.fail(.tickTimeout(node: peer, seconds: Double(tickTime.nanoseconds) / 1e9), context: context)
                return
            }
            var tick = context.channel.allocator.buffer(capacity: 4)
            tick.writeInteger(UInt32(0))
            context.writeAndFlush(NIOAny(tick), promise: nil)
        }
    }

    private func writeHandshakeMessage(_ message: [UInt8], context: ChannelHandlerContext) {
        logger.debug(
            "handshake message sent", metadata: ["tag": "\(message.first.map { Character(Unicode.Scalar($0)) } ?? " ")"]
        )
        var buffer = context.channel.allocator.buffer(capacity: message.count + 4)
        if handshakeLengthBytes == 4 {
            buffer.writeInteger(UInt32(message.count))
        } else {
            buffer.writeInteger(UInt16(message.count))
        }
        buffer.writeBytes(message)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}
