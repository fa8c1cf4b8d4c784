import Logging
import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The open connections of every listener together, against `--web.max-connections`.
final class ConnectionCount: Sendable {
    private let open = Atomic<Int>(0)

    var current: Int { open.load(ordering: .relaxed) }

    /// Takes a place below `limit`; false when every place is taken.
    func take(below limit: Int) -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = open.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release() { open.subtract(1, ordering: .relaxed) }
}

/// The first handler of each listening socket. It closes, at once and counted, a connection
/// beyond `--web.max-connections`; and when an accept fails for want of a file descriptor
/// (EMFILE, ENFILE) or of memory, it stops accepting for a while (10 ms, doubling up to 1 s,
/// until an accept succeeds) instead of letting the event loop spin: after a failed accept NIO
/// keeps its read pending and the listening socket, readable still, wakes the loop at once,
/// again and again (its own back-off handler never gets a read to delay). The descriptor
/// shortage is counted per failed accept and logged once when it starts and once when it ends.
final class AcceptGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private static let firstPause = TimeAmount.milliseconds(10)
    private static let longestPause = TimeAmount.seconds(1)

    private let limit: Int
    private let count: ConnectionCount
    private let rejections: HTTPRejections
    private let conditions: AcceptConditions
    private var pause = AcceptGate.firstPause
    private var resumption: Scheduled<Void>?

    init(limit: Int, count: ConnectionCount, rejections: HTTPRejections, conditions: AcceptConditions) {
        self.limit = limit
        self.count = count
        self.rejections = rejections
        self.conditions = conditions
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        resumption?.cancel()
        resumption = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        pause = Self.firstPause
        conditions.accepted()
        guard count.take(below: limit) else {
            rejections.connectionLimit.increment()
            conditions.limitReached(limit: limit)
            connection.close(promise: nil)
            return
        }
        let (count, conditions, limit) = (count, conditions, limit)
        connection.closeFuture.whenComplete { _ in
            count.release()
            conditions.connectionClosed(open: count.current, limit: limit)
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? IOError, Self.pausing.contains(error.errnoCode) else {
            return context.fireErrorCaught(error)
        }
        if error.errnoCode == EMFILE || error.errnoCode == ENFILE {
            rejections.fileDescriptors.increment()
            conditions.descriptorsExhausted(errno: error.errnoCode, open: count.current)
        }
        pauseAccepting(context)
    }

    /// Errors of an accept that a later accept may not have.
    private static let pausing: Set<Int32> = [EMFILE, ENFILE, ENOBUFS, ENOMEM]

    /// Takes the listening socket out of the event loop's watch (auto-read off) until the pause
    /// has passed, then watches it again: one accept per pause while the shortage lasts.
    private func pauseAccepting(_ context: ChannelHandlerContext) {
        guard resumption == nil, let options = context.channel.syncOptions else { return }
        try? options.setOption(ChannelOptions.autoRead, value: false)
        let channel = context.channel
        resumption = context.eventLoop.assumeIsolated().scheduleTask(in: pause) {
            self.resumption = nil
            try? channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        }
        pause = min(pause * 2, Self.longestPause)
    }
}

/// What the accept gates have logged, shared by every listener: each condition once as it
/// starts and once as it ends.
final class AcceptConditions: Sendable {
    private struct State {
        var outOfDescriptors = false
        var atLimit = false
    }

    private let state = Mutex(State())
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func descriptorsExhausted(errno: Int32, open: Int) {
        guard
            state.withLock({ state in
                defer { state.outOfDescriptors = true }; return !state.outOfDescriptors
            })
        else { return }
        var limit = rlimit()
        let descriptors = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? "\(limit.rlim_cur)" : "?"
        logger.error(
            "cannot accept HTTP connections: no file descriptor left (\(errno == EMFILE ? "EMFILE" : "ENFILE")); trying again at most once a second. Raise the process's descriptor limit (ulimit -n, LimitNOFILE=) or lower \(ExporterHTTPSetting.maxConnections)",
            metadata: ["open_connections": "\(open)", "max_fds": "\(descriptors)"])
    }

    func accepted() {
        guard
            state.withLock({ state in
                defer { state.outOfDescriptors = false }; return state.outOfDescriptors
            })
        else { return }
        logger.info("accepting HTTP connections again: file descriptors are available")
    }

    func limitReached(limit: Int) {
        guard
            state.withLock({ state in
                defer { state.atLimit = true }; return !state.atLimit
            })
        else { return }
        logger.warning(
            "HTTP connection limit reached: new connections are closed at once until some end (raise \(ExporterHTTPSetting.maxConnections) if scrapers are refused)",
            metadata: ["max_connections": "\(limit)"])
    }

    /// Logs the end of the limit once the open connections are down to 90% of it, so that a
    /// count hovering at the limit does not log every connection.
    func connectionClosed(open: Int, limit: Int) {
        guard open * 10 <= limit * 9 else { return }
        guard
            state.withLock({ state in
                defer { state.atLimit = false }; return state.atLimit
            })
        else { return }
        logger.info(
            "HTTP connections below the limit again",
            metadata: ["open_connections": "\(open)", "max_connections": "\(limit)"])
    }
}
