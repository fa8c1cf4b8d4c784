import CompressNIO
import Metrics
import MetricsStore
import NIOCore
import NIOPosix
import Synchronization

/// One exposition body, ready to send.
struct RenderedBody: Sendable {
    let bytes: ByteBuffer
    let gzipped: Bool
}

/// Renders (and compresses) the exposition off the event loops and off Swift's task pool, on
/// NIO's thread pool, and lets concurrent scrapes of the same format and encoding share one
/// render and one compression: a scrape that arrives while one is under way waits for it and
/// gets its body (single-flight); nothing is kept once it has ended, so no scrape gets data
/// older than the render it joined.
final class SharedRender: Sendable {
    private struct Key: Hashable {
        let format: ExpositionFormat
        let gzip: Bool
    }

    private let render: @Sendable (ExpositionFormat) -> [UInt8]
    private let renderTimers: [ExpositionFormat: Timer]
    private let inFlight = Mutex<[Key: EventLoopFuture<RenderedBody>]>([:])
    private let pool: NIOThreadPool
    private let loops: any EventLoopGroup
    private let waiting = Atomic<Int>(0)

    /// Scrapes waiting for a render now (theirs or one they joined).
    var callersWaiting: Int { waiting.load(ordering: .relaxed) }

    init(
        render: @escaping @Sendable (ExpositionFormat) -> [UInt8], renderTimers: [ExpositionFormat: Timer],
        pool: NIOThreadPool = .singleton, loops: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.render = render
        self.renderTimers = renderTimers
        self.pool = pool
        self.loops = loops
    }

    /// The body in `format`, gzipped when `gzip` is asked and compression worked.
    func body(_ format: ExpositionFormat, gzip: Bool) async throws -> RenderedBody {
        let key = Key(format: format, gzip: gzip)
        let (future, started) = inFlight.withLock { flights -> (EventLoopFuture<RenderedBody>, Bool) in
            if let running = flights[key] { return (running, false) }
            let (render, timer) = (render, renderTimers[format])
            let future = pool.runIfActive(eventLoop: loops.any()) {
                Self.produce(format: format, gzip: gzip, render: render, timer: timer)
            }
            flights[key] = future
            return (future, true)
        }
        if started {
            future.whenComplete { _ in
                self.inFlight.withLock { flights in
                    if flights[key] === future { flights[key] = nil }
                }
            }
        }
        waiting.add(1, ordering: .relaxed)
        defer { waiting.subtract(1, ordering: .relaxed) }
        return try await future.get()
    }

    /// On a pool thread: the render, timed, then gzip at the fastest level (a scrape is
    /// latency-bound, and level 1 already shrinks the repetitive text about ten times).
    private static func produce(
        format: ExpositionFormat, gzip: Bool, render: (ExpositionFormat) -> [UInt8], timer: Timer?
    ) -> RenderedBody {
        let started = ContinuousClock.now
        var buffer = ByteBuffer(bytes: render(format))
        timer?.record(duration: ContinuousClock.now - started)
        guard gzip else { return RenderedBody(bytes: buffer, gzipped: false) }
        let original = buffer
        guard
            let compressed = try? buffer.compress(
                with: .gzip(configuration: .init(compressionLevel: .fastestCompression)))
        else { return RenderedBody(bytes: original, gzipped: false) }
        return RenderedBody(bytes: compressed, gzipped: true)
    }
}
