import Logging
import NIOCore

/// The deadlines of one HTTP connection, on its event loop. A request must have arrived whole
/// within `--web.read-header-timeout` of its first byte (of the accept, for the first request),
/// and a kept-alive connection may wait `--web.idle-timeout` for its next one; when either
/// passes the connection is closed, which frees its descriptor from slow or silent clients. No
/// deadline runs while a request is being answered: a scrape of a large store takes what it takes.
final class ConnectionDeadlines {
    private enum Wait {
        case request, idle
    }

    private let limits: ConnectionLimits
    private let rejections: HTTPRejections
    private let logger: Logger
    private var channel: (any Channel)?
    /// Requests read whole whose response has not ended yet.
    private var answering = 0
    private var readingRequest = false
    private var timer: (wait: Wait, task: Scheduled<Void>)?

    init(limits: ConnectionLimits, rejections: HTTPRejections, logger: Logger) {
        self.limits = limits
        self.rejections = rejections
        self.logger = logger
    }

    /// The connection is open: its first request is awaited from now.
    func start(_ channel: any Channel) {
        guard self.channel == nil else { return }
        self.channel = channel
        readingRequest = true
        arm(.request)
    }

    /// Bytes came in: when the connection was idle, a request has begun and must end in time.
    func bytesArrived() {
        guard !readingRequest else { return }
        readingRequest = true
        if answering == 0 { arm(.request) }
    }

    /// A request was read to its end: it is being answered, with no deadline.
    func requestRead() {
        readingRequest = false
        answering += 1
        disarm()
    }

    /// A response ended: wait for the next request, or for the rest of one already begun.
    func responseEnded() {
        answering = max(0, answering - 1)
        guard answering == 0 else { return }
        arm(readingRequest ? .request : .idle)
    }

    /// The connection closed: nothing more to watch (and no reference to it kept).
    func stop() {
        disarm()
        channel = nil
    }

    private func arm(_ wait: Wait) {
        disarm()
        guard let channel else { return }
        let duration = wait == .request ? limits.readHeaderTimeout : limits.idleTimeout
        let task = channel.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(duration)) {
            self.expired(wait)
        }
        timer = (wait, task)
    }

    private func disarm() {
        timer?.task.cancel()
        timer = nil
    }

    private func expired(_ wait: Wait) {
        timer = nil
        guard let channel else { return }
        if wait == .request {
            rejections.headerTimeout.increment()
            // Debug only: a scanner or a slowloris attack would flood any higher level.
            logger.debug(
                "HTTP request not received in time (\(ExporterHTTPSetting.readHeaderTimeout)); connection closed",
                metadata: ["peer": "\(channel.remoteAddress.map { "\($0)" } ?? "?")"])
        }
        channel.close(promise: nil)
    }
}

/// The first handler of a connection: tells the deadlines when bytes arrive (before TLS and HTTP
/// decoding, which hold them until a whole record or head is there).
final class RequestBytesWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let deadlines: ConnectionDeadlines

    init(deadlines: ConnectionDeadlines) { self.deadlines = deadlines }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { deadlines.start(context.channel) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { deadlines.stop() }

    func channelActive(context: ChannelHandlerContext) {
        deadlines.start(context.channel)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadlines.stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadlines.bytesArrived()
        context.fireChannelRead(data)
    }
}
