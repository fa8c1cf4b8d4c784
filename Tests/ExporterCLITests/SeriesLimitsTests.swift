import BEAMPeers
import Foundation
import Testing

extension BinaryEndToEndTests {
    /// --metrics.ttl=2s: once the publisher is gone its series leave /metrics within seconds,
    /// counted as expired; the exporter's own families stay.
    @Test func seriesExpireAfterTheTTLWhenThePublisherStops() async throws {
        let publisher = try await Publisher.everyPayload()
        defer { publisher.stop() }
        let exporter = try await RunningExporter.joining(publisher, ["--metrics.ttl=2s"])
        defer { exporter.stop() }
        let live = try await waitForSamples(exporter, "every ExESDB family") { samples in
            Set(samples.exesdbSeries.map(\.name)).contains("exesdb_alert_notifications_total")
        }
        let liveSeries = live.exesdbSeries.count
        #expect(liveSeries > 40)

        await publisher.node.stop()
        let stopped = ContinuousClock.now
        let after = try await waitForSamples(exporter, "no ExESDB series", timeout: .seconds(20)) {
            $0.exesdbSeries.isEmpty
        }
        let took = ContinuousClock.now - stopped
        #expect(took < .seconds(10), "series took \(took) to expire with a 2 s TTL")
        #expect((after.named("exesdb_exporter_series_expired_total").first?.value ?? 0) >= 20)
        for family in ["exesdb_exporter_build_info", "process_start_time_seconds", "exesdb_exporter_series"] {
            #expect(!after.named(family).isEmpty, "\(family) must never expire")
        }
        // A node's version, start and features outlive the TTL: they are sent once, at its start.
        for family in [Sample].lasting {
            #expect(!after.named(family).isEmpty, "\(family) must outlive the TTL")
        }
        // The node is gone: not up, and the exporter keeps running (it reconnects when the node returns).
        #expect(after.named("exesdb_up").first?.value == 0)
        #expect(exporter.process.isRunning)
    }

    /// --metrics.max-series=20 with 50 operations (150 series) published: 20 live series, the
    /// rest dropped and counted, ingest and scrapes go on.
    @Test func newSeriesBeyondMaxSeriesAreDroppedAndCounted() async throws {
        let publisher = try await Publisher.manyOperations(50)
        defer { publisher.stop() }
        let exporter = try await RunningExporter.joining(publisher, ["--metrics.max-series=20"])
        defer { exporter.stop() }
        let samples = try await waitForSamples(exporter, "series dropped at the limit") { samples in
            (samples.named("exesdb_exporter_series_dropped_total").first?.value ?? 0) > 0
        }
        #expect(samples.exesdbSeries.count <= 20)
        #expect(samples.exesdbSeries.count == 20, "the limit admits exactly 20 ExESDB series")
        #expect(samples.named("exesdb_exporter_series_dropped_total").first?.labels == ["reason": "cardinality_limit"])
        // Still taking messages in: the counter of accepted throughput messages grows.
        let accepted = { (samples: [Sample]) in
            samples.named("exesdb_exporter_messages_total").first { $0.labels["type"] == "throughput_metric" }?.value
                ?? 0
        }
        let before = accepted(samples)
        try await waitForSamples(exporter, "more throughput messages") { accepted($0) >= before + 50 }
        #expect(exporter.process.isRunning)
        #expect(try await exporter.get("/-/healthy").status == 200)
    }

    /// Reads /metrics until `done` accepts its samples; fails naming `what` after `timeout`.
    @discardableResult
    func waitForSamples(
        _ exporter: RunningExporter, _ what: String, timeout: Duration = .seconds(30), until done: ([Sample]) -> Bool
    ) async throws -> [Sample] {
        var last: [Sample] = []
        let found = try await poll(timeout: timeout, every: .milliseconds(250)) { () async throws -> [Sample]? in
            last = try await exporter.samples()
            return done(last) ? last : nil
        }
        if let found { return found }
        throw ErlangTools.Failure(
            description: "/metrics shows no \(what) after \(timeout); ExESDB series: \(last.exesdbSeries.count); "
                + "log tail:\n\(exporter.lines.suffix(20).joined(separator: "\n"))")
    }
}
