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

    @Test func promtoolAcceptsThePrometheusText() throws {
        let result = try run(["promtool", "check", "metrics"], input: text(try Self.makeStore(), .prometheusText))
        #expect(result.status == 0, "promtool check metrics: \(result.output)")
    }

    /// promtool's `check metrics` reads only the 0.0.4 format; Prometheus's OpenMetrics parser is
    /// reached through `tsdb create-blocks-from openmetrics`, which wants a timestamp per sample.
    @Test func promtoolAcceptsTheOpenMetrics() throws {
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
        let result = try run(
            [
                "promtool", "tsdb", "create-blocks-from", "openmetrics", input.path,
                directory.appendingPathComponent("blocks").path,
            ],
            input: "")
        #expect(result.status == 0, "promtool create-blocks-from openmetrics: \(result.output)")
    }

    /// Both formats parsed by prometheus-client (its strict OpenMetrics parser included) give the
    /// same samples with the same values.
    @Test func prometheusClientReadsBothFormatsAlike() throws {
        let store = try Self.makeStore()
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families as text04
            from prometheus_client.openmetrics.parser import text_string_to_metric_families as om
            data = json.load(sys.stdin)
            def flat(families, skip_created):
                out = {}
                for family in families:
                    for s in family.samples:
                        if skip_created and s.name.endswith("_created"):
                            continue
                        key = s.name + json.dumps(s.labels, sort_keys=True)
                        out[key] = s.value
                return out
            a = flat(text04(data["text"]), False)
            b = flat(om(data["om"]), True)
            types = {f.name: f.type for f in om(data["om"])}
            print(json.dumps({"text": len(a), "om": len(b), "equal": a == b,
                              "only_text": sorted(set(a) - set(b))[:5], "only_om": sorted(set(b) - set(a))[:5],
                              "types": types}))
            """
        let input = try JSONSerialization.data(withJSONObject: [
            "text": text(store, .prometheusText), "om": text(store, .openMetrics),
        ])
        let result = try run(["python3", "-c", script], input: String(decoding: input, as: UTF8.self))
        #expect(result.status == 0, "prometheus-client: \(result.output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "\(result.output)")
        #expect(report["equal"] as? Bool == true, "\(result.output)")
        #expect((report["text"] as? Int ?? 0) > 40)
        let types = report["types"] as? [String: String] ?? [:]
        #expect(types["exesdb_node_health_status"] == "stateset")
        #expect(types["t_build"] == "info")
        #expect(types["exesdb_operations"] == "counter")
        #expect(types["exesdb_latency_seconds"] == "histogram")
    }
}
