import BEAMPeers
import Foundation
import Logging
import Testing

@testable import Aggregation
@testable import GaterMessages
@testable import MetricsStore

/// The real catalogue, fed every payload kind, read back by the reference parsers: promtool's
/// `check metrics` (text 0.0.4) and the PyPI prometheus-client's text and OpenMetrics parsers,
/// which must agree on every sample.
@Suite struct CatalogueExpositionTests {
    /// The catalogue and the process families, with every payload kind aggregated and one sample in
    /// each family no payload reaches (the exporter's own, updated through swift-metrics).
    static func makeStore() throws -> MetricsStore {
        let store = MetricsStore()
        try Catalogue.register(in: store)
        try ProcessCollector(store: store).install(in: store)
        let aggregator = try Aggregator(store: store, alertTTL: .seconds(300), logger: Logger(label: "test"))
        for message in EveryPayload.messages {
            aggregator.record(
                ReceivedMessage(peer: "ex_esdb@b", bus: "b", topic: "t", message: message, receivedAt: 1_700_000_100))
        }
        for descriptor in Catalogue.families() {
            guard let family = store.family(named: descriptor.name), family.seriesCount == 0 else { continue }
            fill(family)
        }
        return store
    }

    /// One sample, its label values named after the labels.
    static func fill(_ family: MetricFamily) {
        let labels = family.descriptor.labelNames.map { "\($0)-1" }
        switch family.descriptor.type {
        case .counter: CounterFamily(family)?.add(2, labels)
        case .gauge: GaugeFamily(family)?.set(0.5, labels)
        case .histogram: HistogramFamily(family)?.observe(0.042, labels)
        case .stateset: _ = StateSetFamily(family).map { $0.set($0.states[0], labels) }
        case .info: InfoFamily(family)?.set(labels)
        }
    }

    @Test func everyPayloadKindIsInTheFixture() {
        #expect(Set(EveryPayload.messages.map(\.kind)) == Set(GaterMessageKind.allCases))
    }

    @Test func promtoolAndPrometheusClientReadTheWholeCatalogueAlike() async throws {
        let store = try Self.makeStore()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalogue-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = "\(directory)/metrics.prom"
        let openMetrics = "\(directory)/metrics.om"
        try Data(store.render(.prometheusText)).write(to: URL(fileURLWithPath: text))
        try Data(store.render(.openMetrics)).write(to: URL(fileURLWithPath: openMetrics))

        let promtool = try await offThePool { try ErlangTools.run("sh", ["-c", "promtool check metrics < '\(text)'"]) }
        #expect(promtool.status == 0, "promtool check metrics: \(promtool.output)")
        #expect(promtool.output.isEmpty, "promtool's lint findings: \(promtool.output)")

        let python = try await offThePool {
            try ErlangTools.run("python3", ["-c", Self.compareScript, text, openMetrics])
        }
        #expect(python.status == 0, "prometheus-client: \(python.output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(python.output.utf8)) as? [String: Any], "\(python.output)")
        #expect(report["equal"] as? Bool == true, "\(python.output)")
        let families = Set(report["families"] as? [String] ?? [])
        for descriptor in Catalogue.families() {
            let name = descriptor.type == .counter ? String(descriptor.name.dropLast(6)) : descriptor.name
            let family = descriptor.type == .info ? String(name.dropLast(5)) : name
            #expect(families.contains(family), "\(descriptor.name) has no samples in the OpenMetrics parse")
        }
        #expect(families.contains("process_cpu_seconds"))
    }

    /// Parses both files, drops OpenMetrics' `_created` samples (text 0.0.4 has none), compares.
    /// The process collector reads /proc again for each render, so only its samples' presence counts.
    static let compareScript = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families as text04
        from prometheus_client.openmetrics.parser import text_string_to_metric_families as om
        def flat(families, skip_created):
            out = {}
            for family in families:
                for s in family.samples:
                    if skip_created and s.name.endswith("_created"):
                        continue
                    # process_* are read again from /proc at each render: compare their presence only.
                    live = s.name.startswith("process_")
                    out[s.name + json.dumps(s.labels, sort_keys=True)] = None if live else s.value
            return out
        text = open(sys.argv[1]).read()
        openmetrics = open(sys.argv[2]).read()
        a = flat(text04(text), False)
        b = flat(om(openmetrics), True)
        families = sorted(f.name for f in om(openmetrics) if f.samples)
        print(json.dumps({"text": len(a), "om": len(b), "equal": a == b, "families": families,
                          "only_text": sorted(set(a) - set(b))[:5], "only_om": sorted(set(b) - set(a))[:5],
                          "differ": sorted(k for k in set(a) & set(b) if a[k] != b[k])[:5]}))
        """
}
