import BEAMPeers
import Foundation
import MetricsStore
import MetricsTestKit
import NIOPosix
import Synchronization
import Testing

@testable import ExporterHTTP

/// Concurrent scrapes share one render and one compression, which run on NIO's thread pool,
/// away from the event loops and Swift's task pool (issue 14, item 4).
@Suite(.serialized) struct SharedRenderTests {
    /// A render the test holds until it lets it go, counting how often it ran.
    final class HeldRender: Sendable {
        private let state = Mutex((calls: 0, released: false))
        private let condition = NSCondition()

        var calls: Int { state.withLock { $0.calls } }

        /// Runs on a pool thread: blocking it is what a slow render does. Held at most a minute:
        /// a test that fails before its release must fail, not leave its task group waiting on
        /// this render for ever (seen when another test's renders held the shared pool's threads).
        func render(_ format: ExpositionFormat) -> [UInt8] {
            state.withLock { $0.calls += 1 }
            let giveUp = Date().addingTimeInterval(60)
            condition.lock()
            while !state.withLock({ $0.released }) && Date() < giveUp {
                _ = condition.wait(until: Date().addingTimeInterval(0.05))
            }
            condition.unlock()
            return Array(CannedExposition.body(format).utf8)
        }

        func release() {
            state.withLock { $0.released = true }
            condition.broadcast()
        }
    }

    /// Fifty callers while one render runs: one render, one compression, fifty identical bodies.
    /// The next caller after it ended gets a render of its own (nothing is cached).
    @Test func callersDuringARenderShareItsBody() async throws {
        let held = HeldRender()
        // A pool of its own: the shared one's two threads may be held by the HTTP test's renders.
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let renders = SharedRender(render: held.render, renderTimers: [:], pool: pool)
        let bodies = try await withThrowingTaskGroup(of: RenderedBody.self) { group in
            for _ in 0..<50 { group.addTask { try await renders.body(.openMetrics, gzip: true) } }
            try await eventually("fifty callers waiting") { renders.callersWaiting == 50 && held.calls == 1 }
            #expect(held.calls == 1)
            held.release()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(held.calls == 1)
        #expect(bodies.allSatisfy { $0.gzipped })
        #expect(Set(bodies.map { Array($0.bytes.readableBytesView) }).count == 1)
        #expect(try await gunzip(Array(bodies[0].bytes.readableBytesView)) == CannedExposition.openMetrics)
        _ = try await renders.body(.openMetrics, gzip: true)
        #expect(held.calls == 2)
        try await pool.shutdownGracefully()
    }

    /// Another format or encoding is another render.
    @Test func formatsAndEncodingsAreRenderedApart() async throws {
        let held = HeldRender()
        held.release()
        let renders = SharedRender(render: held.render, renderTimers: [:])
        let plain = try await renders.body(.prometheusText, gzip: false)
        let zipped = try await renders.body(.prometheusText, gzip: true)
        #expect(!plain.gzipped && zipped.gzipped)
        #expect(String(buffer: plain.bytes) == CannedExposition.prometheusText)
        #expect(held.calls == 2)
    }

    /// Over HTTP: ten scrapes made while a render is held are answered from that render; while
    /// two renders are held (one per format), the health endpoint still answers, since renders
    /// hold no event loop and no thread of the task pool. Before, each scrape rendered on the
    /// task pool itself.
    @Test func concurrentScrapesShareARenderAndHealthAnswersMeanwhile() async throws {
        let held = HeldRender()
        let metrics = TestMetrics()
        try await withServer(CannedSources().sources(render: held.render), metrics: metrics) { running in
            let url = running.url("/metrics")
            try await withThrowingTaskGroup(of: CurlResponse.self) { group in
                for index in 0..<10 {
                    let accept = index == 0 ? ["-H", "Accept: application/openmetrics-text"] : []
                    group.addTask { try await curl(url, accept + ["--compressed"]) }
                }
                try await eventually("both formats rendering") { held.calls == 2 }
                let health = try await curl(running.url("/-/healthy"), ["--max-time", "5"])
                #expect(health.status == 200)
                try await eventually("nine scrapes waiting for one render") {
                    (try? await renders(of: running)) == 10
                }
                held.release()
                for try await response in group { #expect(response.status == 200) }
            }
            #expect(held.calls == 2, "one render per format for ten scrapes")
            let text = try metrics.expectTimer(TelemetryEndpoint.durationLabel, [("format", "prometheus")])
            #expect(text.values.count == 1)
        }
    }

    /// Scrapes waiting for a render, from the server's own count.
    private func renders(of running: RunningServer) async throws -> Int {
        running.server.callersWaitingForRenders
    }
}
