import Logging
import MetricsStore
import Synchronization
import Testing

@testable import Aggregation
@testable import GaterMessages

/// The series handles the aggregation keeps for the label sets it saw last: what they update is
/// always what a lookup through the store would update, across the TTL and the series limit.
@Suite struct SeriesCacheTests {
    final class Clock: Sendable {
        let now = Mutex<Double>(1_700_000_000)
        var read: @Sendable () -> Double { { [self] in now.withLock { $0 } } }
    }

    func latency(_ operation: String, _ milliseconds: Double) -> ReceivedMessage {
        ReceivedMessage(
            peer: "ex_esdb@a", bus: "b", topic: "t",
            message: .latency(
                LatencyMetric(
                    operation: operation, latencyMilliseconds: milliseconds, percentile: "p99", sampleCount: 10,
                    node: "ex_esdb@a-long-node-name", timestamp: nil)), receivedAt: 0)
    }

    func lines(_ store: MetricsStore, _ family: String) -> [String] {
        String(decoding: store.render(.prometheusText), as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix(family + "{") }
    }

    @Test func aSeriesThatExpiredComesBackWhenItsLabelsAreSeenAgain() throws {
        let clock = Clock()
        let store = MetricsStore(configuration: StoreConfiguration(ttl: .seconds(60)), clock: clock.read)
        try AggregationFamilies.register(in: store)
        let aggregator = try Aggregator(store: store, alertTTL: .seconds(60), logger: Logger(label: "test"))
        aggregator.record(latency("read", 4))
        #expect(lines(store, "exesdb_latency_samples_total").count == 1)
        clock.now.withLock { $0 += 120 }
        store.sweep()
        #expect(lines(store, "exesdb_latency_samples_total").isEmpty, "expired")
        // The cached handles are stale now: the update must reach a series a scrape sees.
        aggregator.record(latency("read", 8))
        #expect(lines(store, "exesdb_latency_samples_total").map { $0.hasSuffix(" 10") } == [true])
        #expect(lines(store, "exesdb_latency_reported_seconds").map { $0.hasSuffix(" 0.008") } == [true])
        #expect(lines(store, "exesdb_latency_seconds_count").map { $0.hasSuffix(" 1") } == [true])
    }

    @Test func atTheSeriesLimitRefusedSeriesAreAskedForAgainAndCountedEachTime() throws {
        let store = MetricsStore(configuration: StoreConfiguration(maxSeries: 40))
        try AggregationFamilies.register(in: store)
        let aggregator = try Aggregator(store: store, alertTTL: .seconds(60), logger: Logger(label: "test"))
        for index in 0..<30 { aggregator.record(latency("op\(index)", 1)) }
        let kept = lines(store, "exesdb_latency_samples_total").count
        #expect(kept > 0 && kept < 30)
        // Once room is made (here: never), nothing is cached wrongly: each new label set still
        // asks the store, so the drops keep being counted.
        let dropped = lines(store, "exesdb_exporter_series_dropped_total")
        for index in 0..<30 { aggregator.record(latency("op\(index)", 1)) }
        #expect(lines(store, "exesdb_exporter_series_dropped_total") != dropped)
        #expect(lines(store, "exesdb_latency_samples_total").count == kept)
        #expect(lines(store, "exesdb_latency_samples_total").allSatisfy { $0.hasSuffix(" 20") })
    }

    @Test func labelSetsThatShareASlotNeverMixTheirSeries() throws {
        let store = MetricsStore()
        try AggregationFamilies.register(in: store)
        let aggregator = try Aggregator(store: store, alertTTL: .seconds(60), logger: Logger(label: "test"))
        // Far more label sets than slots, differing only in the middle (the cache's digest reads
        // the lengths and the outer bytes): they collide, and each must still count its own.
        let operations = (0..<1000).map { "stream_\(String(format: "%04d", $0))_append" }
        for round in 1...3 {
            for operation in operations { aggregator.record(latency(operation, Double(round))) }
        }
        let samples = lines(store, "exesdb_latency_samples_total")
        #expect(samples.count == operations.count)
        #expect(samples.allSatisfy { $0.hasSuffix(" 30") })
    }
}
