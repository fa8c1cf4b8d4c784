import BEAMPeers
import Foundation
import Testing

@testable import MetricsStore

/// The exposition read back by the reference parsers: promtool (Prometheus's own parsers) and
/// the PyPI prometheus-client, in both formats, with equal values.
@Suite struct ParserTests {
    /// A realistic store: the catalogue's shapes with several nodes and operations.
    static func makeStore() throws -> MetricsStore {
        let store = try ExpositionGoldenTests.makeStore()
        let operations = try store.counter(
            "exesdb_operations_total", help: "Operations.", labels: ["node", "operation"])
        let window = try store.counter(
            "exesdb_operations_window_seconds_total", help: "Window.", unit: "seconds", labels: ["node", "operation"])
        let latency = try store.histogram(
            "exesdb_latency_seconds", help: "Latency.", unit: "seconds", labels: ["node", "operation", "stat"])
        let health = try store.stateSet(
            "exesdb_node_health_status", help: "Health.", labels: ["node"],
            states: ["healthy", "degraded", "unhealthy", "unknown"])
        for node in ["ex_esdb@host-1", "ex_esdb@host-2"] {
            health.set(node.hasSuffix("1") ? "healthy" : "degraded", [node])
            for (index, operation) in ["append", "read", "subscribe"].enumerated() {
                operations.add(Double(100 * (index + 1)), [node, operation])
                window.add(1.5, [node, operation])
                latency.observe(0.0042 * Double(index + 1), [node, operation, "p99"])
            }
        }
        return store
    }

    @Test func promtoolAcceptsThePrometheusText() async throws {
        let result = try await run(
            ["promtool", "check", "metrics"], input: text(try Self.makeStore(), .prometheusText))
        #expect(result.status == 0, "promtool check metrics: \(result.output)")
    }

    /// promtool's `check metrics` reads only the 0.0.4 format; Prometheus's OpenMetrics parser is
    /// reached through `tsdb create-blocks-from openmetrics`, which wants a timestamp per sample.
    @Test func promtoolAcceptsTheOpenMetrics() async throws {
        let exposition = text(try Self.makeStore(), .openMetrics)
        let stamped =
            exposition.split(separator: "\n").map { line in
                line.hasPrefix("#") ? String(line) : line + " 1700000000"
            }.joined(separator: "\n") + "\n"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("om-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let input = directory.appendingPathComponent("exposition.om")
        try stamped.write(to: input, atomically: true, encoding: .utf8)
        let result = try await run(
            [
                "promtool", "tsdb", "create-blocks-from", "openmetrics", input.path,
                directory.appendingPathComponent("blocks").path,
            ],
            input: "")
        #expect(result.status == 0, "promtool create-blocks-from openmetrics: \(result.output)")
    }

    /// Both formats parsed by prometheus-client (its strict OpenMetrics parser included) give the
    /// same samples with the same values.
    @Test func prometheusClientReadsBothFormatsAlike() async throws {
        let store = try Self.makeStore()
        let parsed = try await PrometheusClientParsers.compare(
            text: text(store, .prometheusText), openMetrics: text(store, .openMetrics))
        #expect(parsed.equal, "\(parsed.report)")
        #expect(parsed.textSamples > 40)
        let types = parsed.families
        #expect(types["exesdb_node_health_status"] == "stateset")
        #expect(types["t_build"] == "info")
        #expect(types["exesdb_operations"] == "counter")
        #expect(types["exesdb_latency_seconds"] == "histogram")
    }
}
