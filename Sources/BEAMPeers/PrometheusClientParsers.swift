import Foundation

/// The reference parsers of the Prometheus ecosystem's Python client (PyPI `prometheus-client`):
/// its text 0.0.4 parser and its strict OpenMetrics parser, run on the same exposition in both
/// formats.
public enum PrometheusClientParsers {
    /// What the two parses found.
    public struct Comparison: Sendable {
        /// Samples of each parse (OpenMetrics' `_created` left out: text 0.0.4 has none).
        public let textSamples: Int
        public let openMetricsSamples: Int
        /// Whether both parses hold the same samples with the same values.
        public let equal: Bool
        /// The OpenMetrics families that have samples, and each family's type there.
        public let families: [String: String]
        /// The raw report, for messages.
        public let report: String
    }

    /// Parses `text` (0.0.4) and `openMetrics` and compares them. Samples whose name starts with
    /// one of `presenceOnly` are compared by presence, not value (the process collector reads
    /// /proc again for each render).
    public static func compare(
        text: String, openMetrics: String, presenceOnly: [String] = []
    ) async throws -> Comparison {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("prom-client-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = ("\(directory)/metrics.prom", "\(directory)/metrics.om")
        try text.write(toFile: paths.0, atomically: true, encoding: .utf8)
        try openMetrics.write(toFile: paths.1, atomically: true, encoding: .utf8)
        let prefixes = String(decoding: try JSONSerialization.data(withJSONObject: presenceOnly), as: UTF8.self)
        let result = try await ErlangTools.run("python3", ["-c", script, paths.0, paths.1, prefixes])
        guard result.status == 0,
            let report = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        else { throw ErlangTools.Failure(description: "prometheus-client could not parse: \(result.output)") }
        return Comparison(
            textSamples: report["text"] as? Int ?? 0, openMetricsSamples: report["om"] as? Int ?? 0,
            equal: report["equal"] as? Bool ?? false, families: report["families"] as? [String: String] ?? [:],
            report: result.output)
    }

    private static let script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families as text04
        from prometheus_client.openmetrics.parser import text_string_to_metric_families as om
        presence_only = tuple(json.loads(sys.argv[3]))
        def flat(families, skip_created):
            out = {}
            for family in families:
                for s in family.samples:
                    if skip_created and s.name.endswith("_created"):
                        continue
                    live = presence_only and s.name.startswith(presence_only)
                    out[s.name + json.dumps(s.labels, sort_keys=True)] = None if live else s.value
            return out
        text = open(sys.argv[1], newline='').read()  # a label value may hold a carriage return
        openmetrics = open(sys.argv[2], newline='').read()
        a = flat(text04(text), False)
        b = flat(om(openmetrics), True)
        families = {f.name: f.type for f in om(openmetrics) if f.samples}
        print(json.dumps({"text": len(a), "om": len(b), "equal": a == b, "families": families,
                          "only_text": sorted(set(a) - set(b))[:5], "only_om": sorted(set(b) - set(a))[:5],
                          "differ": sorted(k for k in set(a) & set(b) if a[k] != b[k])[:5]}))
        """
}
