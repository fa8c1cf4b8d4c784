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

/// Renders (and compresses) the exposition off the event loops, on NIO's thread pool (a short
/// uncompressed render in the scrape's own task), and lets concurrent scrapes of the same format
/// and encoding share one render and one compression: a scrape that arrives while one is under way waits for it and
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
        let inline = !gzip && lastRenderNanoseconds(format) < Self.inlineLimit
        let flight = inFlight.withLock { flights -> Flight in
            if let running = flights[key] { return .joined(running) }
            if inline {
                let promise = loops.any().makePromise(of: RenderedBody.self)
                flights[key] = promise.futureResult
                return .leadsInline(promise)
            }
            let future = pool.runIfActive(eventLoop: loops.any()) { self.produce(format: format, gzip: gzip) }
            flights[key] = future
            return .leadsOnPool(future)
        }
        switch flight {
        case .leadsInline(let promise):
            // A short render is made by the scrape that starts it, in its own task: a hop to the
            // pool and back costs more than the render (on a loaded machine, milliseconds).
            let body = produce(format: format, gzip: false)
            finished(key, promise.futureResult)
            promise.succeed(body)
            return body
        case .leadsOnPool(let future):
            // Outside the lock: a future already complete runs its callback at once.
            future.whenComplete { _ in self.finished(key, future) }
            return try await waitFor(future)
        case .joined(let future):
            return try await waitFor(future)
        }
    }

    private enum Flight {
        case joined(EventLoopFuture<RenderedBody>)
        case leadsInline(EventLoopPromise<RenderedBody>)
        case leadsOnPool(EventLoopFuture<RenderedBody>)
    }

    private func waitFor(_ future: EventLoopFuture<RenderedBody>) async throws -> RenderedBody {
        waiting.add(1, ordering: .relaxed)
        defer { waiting.subtract(1, ordering: .relaxed) }
        return try await future.get()
    }

    /// Renders that took less than this (the last one of the format) are made in the scrape's
    /// own task; longer ones, and every gzip, on the pool.
    static let inlineLimit = 1_000_000

    private let lastText = Atomic<Int>(Int.max)
    private let lastOpenMetrics = Atomic<Int>(Int.max)

    private func lastRenderNanoseconds(_ format: ExpositionFormat) -> Int {
        format == .openMetrics ? lastOpenMetrics.load(ordering: .relaxed) : lastText.load(ordering: .relaxed)
    }

    private func finished(_ key: Key, _ future: EventLoopFuture<RenderedBody>) {
        inFlight.withLock { flights in
            if flights[key] === future { flights[key] = nil }
        }
    }

    /// On a pool thread (or the scrape's task, when short): the render, timed, then gzip at the fastest level (a scrape is
    /// latency-bound, and level 1 already shrinks the repetitive text about ten times).
    private func produce(format: ExpositionFormat, gzip: Bool) -> RenderedBody {
        let started = ContinuousClock.now
        var buffer = ByteBuffer(bytes: render(format))
        let took = ContinuousClock.now - started
        renderTimers[format]?.record(duration: took)
        let nanoseconds =
            Int(took.components.seconds) * 1_000_000_000 + Int(took.components.attoseconds / 1_000_000_000)
        if format == .openMetrics {
            lastOpenMetrics.store(nanoseconds, ordering: .relaxed)
        } else {
            lastText.store(nanoseconds, ordering: .relaxed)
        }
        guard gzip else { return RenderedBody(bytes: buffer, gzipped: false) }
        let original = buffer
        guard
            let compressed = try? buffer.compress(
                with: .gzip(configuration: .init(compressionLevel: .fastestCompression)))
        else { return RenderedBody(bytes: original, gzipped: false) }
        return RenderedBody(bytes: compressed, gzipped: true)
    }
}
