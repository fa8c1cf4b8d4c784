import BEAMPeers
import Foundation
import Testing

extension BinaryEndToEndTests {
    /// `log.format: json` and histogram buckets from the config file reach the running binary:
    /// /metrics has the overridden `le` values, every output line is one JSON object with a level
    /// and a message, and SIGINT shuts down as gracefully as SIGTERM (groups left, exit 0).
    @Test func configFileJSONLogsAndBucketsApplyAndSIGINTStopsGracefully() async throws {
        let directory = try temporaryDirectory("e2e-json")
        let config = "\(directory)/exesdb_exporter.yml"
        let yaml = """
            log: {format: json}
            metrics:
              buckets:
                exesdb_latency_seconds: [0.005, 0.0125, 0.05]
                exesdb_health_check_duration_seconds: [0.01, 0.1]

            """
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        let publisher = try await Publisher.everyPayload()
        defer { publisher.stop() }
        let exporter = try RunningExporter(
            publisher.exporterArguments() + ["--config.file=\(config)"], environment: publisher.environment)
        defer { exporter.stop() }
        try await exporter.process.waitForLine(containing: #""msg":"joined the PubSub groups""#, timeout: .seconds(30))

        let samples = try await waitForSamples(exporter, "both histograms") { samples in
            !samples.named("exesdb_latency_seconds_bucket").isEmpty
                && !samples.named("exesdb_health_check_duration_seconds_bucket").isEmpty
        }
        let bounds = { (family: String) in Set(samples.named(family + "_bucket").compactMap { $0.labels["le"] }) }
        #expect(bounds("exesdb_latency_seconds") == ["0.005", "0.0125", "0.05", "+Inf"])
        #expect(bounds("exesdb_health_check_duration_seconds") == ["0.01", "0.1", "+Inf"])
        // The fixture's p99 of 12.75 ms lands above 0.0125 and within 0.05.
        let latency = samples.named("exesdb_latency_seconds_bucket").filter { $0.labels["stat"] == "p99" }
        #expect(latency.first { $0.labels["le"] == "0.0125" }?.value == 0)
        #expect((latency.first { $0.labels["le"] == "0.05" }?.value ?? 0) >= 1)

        exporter.process.signal(SIGINT)
        #expect(try await exporter.process.waitForExit(timeout: .seconds(20)) == 0, "\(exporter.lines.suffix(10))")
        try await exporter.process.waitForLine(containing: #""msg":"stopped""#)
        for bus in Publisher.buses {
            try await publisher.node.waitForLine(
                containing: "pg leave Elixir.\(bus).Adapter e2e_exporter@localhost connected=true")
        }
        let notJSON = exporter.lines.filter { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                return true
            }
            return !(object["level"] is String) || !(object["msg"] is String)
        }
        #expect(notJSON.isEmpty, "lines that are not one JSON object with level and msg: \(notJSON)")
        #expect(exporter.lines.count >= 5)
    }

    /// SIGHUP applies `metrics.max_series` and `metrics.ttl` at once: with 50 operations (150
    /// series) published, the series beyond the old limit of 10 appear, and with the publisher gone
    /// they expire after the new, short TTL.
    @Test func sighupAppliesTheSeriesLimitAndTheTTLAtOnce() async throws {
        let directory = try temporaryDirectory("e2e-limits")
        let config = "\(directory)/exesdb_exporter.yml"
        try "metrics: {max_series: 10}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let publisher = try await Publisher.manyOperations(50)
        defer { publisher.stop() }
        let exporter = try await RunningExporter.joining(publisher, ["--config.file=\(config)"])
        defer { exporter.stop() }
        let limited = try await waitForSamples(exporter, "series dropped at the limit") { samples in
            (samples.named("exesdb_exporter_series_dropped_total").first?.value ?? 0) > 0
        }
        #expect(limited.exesdbSeries.count == 10)

        try "metrics: {max_series: 100000, ttl: 2s}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let linesBefore = exporter.lines.count
        exporter.process.signal(SIGHUP)
        try await exporter.process.waitForLine(containingAll: ["series limits changed", "max_series=100000", "ttl=2s"])
        try await waitForSamples(exporter, "all 150 ExESDB series") { $0.exesdbSeries.count == 150 }
        #expect(!exporter.lines.dropFirst(linesBefore).contains { $0.contains("next restart") })

        await publisher.node.stop()
        try await waitForSamples(exporter, "no ExESDB series after the 2 s TTL", timeout: .seconds(20)) {
            $0.exesdbSeries.isEmpty
        }
    }
}
