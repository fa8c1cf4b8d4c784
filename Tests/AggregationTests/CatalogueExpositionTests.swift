import BEAMPeers
import ExporterApp
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
    /// The whole catalogue (every module's families, the process and BEAM ones included), with every
    /// payload kind aggregated and one sample in each family no payload reaches.
    static func makeStore() throws -> MetricsStore {
        let store = MetricsStore()
        try MetricCatalogue.register(in: store)
        try ProcessCollector(store: store).install(in: store)
        for descriptor in MetricCatalogue.families() { try store.register(descriptor) }
        let aggregator = try Aggregator(store: store, alertTTL: .seconds(300), logger: Logger(label: "test"))
        for message in EveryPayload.messages {
            aggregator.record(
                ReceivedMessage(peer: "ex_esdb@b", bus: "b", topic: "t", message: message, receivedAt: 1_700_000_100))
        }
        for descriptor in MetricCatalogue.families() {
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

        let promtool = try await ErlangTools.run("sh", ["-c", "promtool check metrics < '\(text)'"])
        #expect(promtool.status == 0, "promtool check metrics: \(promtool.output)")
        #expect(promtool.output.isEmpty, "promtool's lint findings: \(promtool.output)")

        let parsed = try await PrometheusClientParsers.compare(
            text: String(decoding: store.render(.prometheusText), as: UTF8.self),
            openMetrics: String(decoding: store.render(.openMetrics), as: UTF8.self), presenceOnly: ["process_"])
        #expect(parsed.equal, "\(parsed.report)")
        let families = Set(parsed.families.keys)
        for descriptor in MetricCatalogue.families() where !descriptor.name.hasPrefix("process_") {
            let name = descriptor.type == .counter ? String(descriptor.name.dropLast(6)) : descriptor.name
            let family = descriptor.type == .info ? String(name.dropLast(5)) : name
            #expect(families.contains(family), "\(descriptor.name) has no samples in the OpenMetrics parse")
        }
        #expect(families.contains("process_cpu_seconds"))
    }
}
