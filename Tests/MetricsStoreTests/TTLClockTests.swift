import Foundation
import Testing

@testable import MetricsStore

/// The TTL is measured on a clock that moves by itself: updates made between two sweeps (with no
/// scrape at all) count as updates, so a series updated more often than the TTL never expires,
/// even with a TTL shorter than the sweep interval, and an idle one expires after the TTL, never before.
@Suite struct TTLClockTests {
    @Test func aSeriesUpdatedWithinTheTTLNeverExpiresWithoutScrapes() throws {
        let clock = ManualClock()
        let store = MetricsStore(configuration: StoreConfiguration(ttl: .seconds(2)), clock: clock.read)
        let counter = try store.counter("exesdb_events_total", help: "E.", labels: ["node"])
        // 30 s of updates every 0.5 s, with a sweep every 15 s (the exporter's) and no render.
        for step in 1...60 {
            clock.advance(by: 0.5)
            counter.increment(["busy"])
            if step % 30 == 0 { store.sweep() }
        }
        #expect(
            samples(text(store, .prometheusText), prefix: "exesdb_events_total{") == [
                #"exesdb_events_total{node="busy"} 60"#
            ])
        #expect(counterValue(store, "exesdb_exporter_series_expired_total") == 0)
    }

    @Test func anIdleSeriesExpiresAfterTheTTLAndWithinOneTickMore() throws {
        let clock = ManualClock(1_700_000_000.9)  // late in a second: the worst case for whole-second ticks
        let store = MetricsStore(configuration: StoreConfiguration(ttl: .seconds(2)), clock: clock.read)
        let gauge = try store.gauge("exesdb_thing", help: "T.", labels: ["node"])
        gauge.set(1, ["idle"])
        clock.advance(by: 2.05)  // past the TTL by less than a tick: still there
        store.sweep()
        #expect(store.family(named: "exesdb_thing")?.seriesCount == 1)
        clock.advance(by: 1)  // TTL + 1 tick: gone
        store.sweep()
        #expect(store.family(named: "exesdb_thing")?.seriesCount == 0)
    }

    /// The same on the system clock: 1 s TTL, updates every 100 ms for 2.5 s, no render in between.
    /// The updates run on a thread of their own: the other suites' synchronous work can hold the
    /// task pool for longer than the TTL. A run in which even that thread stalled so long proves
    /// nothing (the series then rightly expires), so it is tried again, three times at most.
    @Test func theSystemClockMovesWithoutRendersOrSweeps() async throws {
        for _ in 0..<3 {
            let store = MetricsStore(configuration: StoreConfiguration(ttl: .seconds(1)))
            let counter = try store.counter("exesdb_events_total", help: "E.", labels: ["node"])
            counter.increment(["idle"])
            let idleSince = ContinuousClock.now
            let (updates, longestGap, busy) = await Self.updateOnAThread(counter, store, for: .milliseconds(2500))
            guard longestGap < .milliseconds(600) else { continue }
            #expect(busy == ["exesdb_events_total{node=\"busy\"} \(updates)"])
            // The idle one goes at a sweep once the clock (250 ms behind at most) is past TTL + 1 tick.
            let deadline = ContinuousClock.now + .seconds(20)
            while text(store, .prometheusText).contains(#"node="idle""#), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(!text(store, .prometheusText).contains(#"node="idle""#))
            #expect(ContinuousClock.now - idleSince >= .seconds(1))
            return
        }
        Issue.record("the machine stalled the updates longer than the TTL allows in three runs")
    }

    /// Increments `counter` every 100 ms for `duration` on a thread, then at once sweeps `store`
    /// and reads the busy series: the number of updates, the longest gap between two, and the
    /// series' sample lines.
    static func updateOnAThread(
        _ counter: CounterFamily, _ store: MetricsStore, for duration: Duration
    ) async -> (Int, Duration, [String]) {
        await withCheckedContinuation { continuation in
            Thread {
                var (updates, last, longestGap) = (0, ContinuousClock.now, Duration.zero)
                let until = ContinuousClock.now + duration
                while ContinuousClock.now < until {
                    Thread.sleep(forTimeInterval: 0.1)
                    counter.increment(["busy"])
                    updates += 1
                    longestGap = max(longestGap, ContinuousClock.now - last)
                    last = ContinuousClock.now
                }
                store.sweep()
                let busy = samples(text(store, .prometheusText), prefix: #"exesdb_events_total{node="busy"}"#)
                continuation.resume(returning: (updates, longestGap, busy))
            }.start()
        }
    }

    @Test func reconfigureChangesTheTTLAndTheLimitOfARunningStore() throws {
        let clock = ManualClock()
        let store = MetricsStore(configuration: StoreConfiguration(ttl: .seconds(300), maxSeries: 2), clock: clock.read)
        let gauge = try store.gauge("exesdb_thing", help: "T.", labels: ["id"])
        for id in 0..<4 { gauge.set(1, ["\(id)"]) }
        #expect(store.family(named: "exesdb_thing")?.seriesCount == 2)
        store.reconfigure(ttl: .seconds(5), maxSeries: 10)
        #expect(store.configuration == StoreConfiguration(ttl: .seconds(5), maxSeries: 10))
        for id in 0..<4 { gauge.set(1, ["\(id)"]) }
        #expect(store.family(named: "exesdb_thing")?.seriesCount == 4)
        clock.advance(by: 7)
        store.sweep()
        #expect(store.family(named: "exesdb_thing")?.seriesCount == 0)
    }

    func counterValue(_ store: MetricsStore, _ name: String) -> Double? {
        samples(text(store, .prometheusText), prefix: name + " ").first.flatMap {
            Double($0.split(separator: " ")[1])
        }
    }
}
