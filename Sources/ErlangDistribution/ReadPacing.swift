import NIOCore

/// Reads a connection in batches while a node floods it: once its bytes come faster than
/// `floodRate` (over a window of `window`), each read waits `pause` after the last, the bytes
/// waiting in the kernel meanwhile, so that one read takes what the pause brought.
///
/// Read at once instead, a flood was taken one or two frames at a time whenever this side kept
/// up: a wake-up, a read and an acknowledgement each, which cost this process a third of its CPU
/// per message and kept the sender, busy with all those acknowledgements, at half its rate (a
/// BEAM reads its distribution ports in batches by the way it polls). Below a flood nothing
/// waits: a broadcast at 10,000 a second is read as it comes. After a read cycle that took
/// `fullBytes` or more, more is waiting, and it is read at once.
///
/// `fullBytes` is one whole read buffer (NIO reads at most 64 KiB at a time). At three buffers,
/// a flood held back by the socket's receive buffer brought less than that per pause and was
/// paced again after every read: in a third of the distribution benchmark's runs the sender
/// spent most of its time blocked, and the receive rate fell to 0.65x to 1.1x the BEAM's
/// (1.5x to 2.2x otherwise); the pauses took 0.45 of 0.6 s.
final class ReadPacing: ChannelDuplexHandler, NIOScheduledCallbackHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let pause: TimeAmount
    private let floodRate: Int64
    private let window: TimeAmount
    private let fullBytes: Int
    private var cycleBytes = 0
    private var windowBytes: Int64 = 0
    private var windowStart: NIODeadline?
    private var flooding = false
    private var paced = false
    private var waiting = false
    private var context: ChannelHandlerContext?

    /// `floodRate` in bytes a second.
    init(
        pause: TimeAmount = .milliseconds(1), floodRate: Int = DistributionConfiguration.defaultFloodRate,
        window: TimeAmount = .milliseconds(10), fullBytes: Int = 64 * 1024
    ) {
        self.pause = pause
        self.floodRate = Int64(floodRate)
        self.window = window
        self.fullBytes = fullBytes
    }

    /// Whether the next read waits: the connection's last window was a flood.
    var isPacing: Bool { paced }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        cycleBytes += unwrapInboundIn(data).readableBytes
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        noteCycle(now: context.eventLoop.now)
        context.fireChannelReadComplete()
    }

    /// The cycle's bytes into the window; at the window's end, whether it was a flood.
    private func noteCycle(now: NIODeadline) {
        windowBytes += Int64(cycleBytes)
        let start = windowStart ?? now
        windowStart = start
        let elapsed = (now - start).nanoseconds
        if elapsed >= window.nanoseconds {
            // In floating point: the rate times a window as long as a quiet connection's (a
            // peer with a long net_ticktime ticks every quarter of it) overflows an Int64.
            flooding = Double(windowBytes) * 1e9 >= Double(floodRate) * Double(elapsed)
            windowBytes = 0
            windowStart = now
        }
        paced = flooding && cycleBytes < fullBytes
        cycleBytes = 0
    }

    func read(context: ChannelHandlerContext) {
        guard paced else { return context.read() }
        // A read asked for while one waits is that same read.
        guard !waiting else { return }
        waiting = true
        do {
            try context.eventLoop.assumeIsolated().scheduleCallback(in: pause, handler: self)
        } catch {
            // The loop is shutting down: read now, as without pacing.
            waiting = false
            context.read()
        }
    }

    func handleScheduledCallback(eventLoop: some EventLoop) {
        waiting = false
        context?.read()
    }

    func didCancelScheduledCallback(eventLoop: some EventLoop) {
        waiting = false
    }
}
