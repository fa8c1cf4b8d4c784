import BEAMPeers
import Foundation
import Testing

/// The nine buses end to end: a real node publishes every struct, signed as ExESDBGater signs
/// them, through real pg to the binary, which serves them with exact values in both formats;
/// each struct of the six other buses also as a plain map, by shape and under another tag;
/// hostile and mutated payloads; a flood of log entries from random modules.
extension BinaryEndToEndTests {
    /// The counts of one round: every struct once, each struct of the six other buses four times
    /// (struct, plain map, unknown tag, another kind's tag).
    static let rounds = 2.0

    @Test func everyStructOfTheNineBusesArrivesWithExactValuesInBothFormats() async throws {
        let publisher = try await Publisher.rounds(Int(Self.rounds), of: "variants")
        defer { publisher.stop() }
        let exporter = try await RunningExporter.joining(publisher)
        defer { exporter.stop() }
        let sent = try await published(publisher)
        let samples = try await waitForSamples(exporter, "all \(sent) messages", until: { Self.taken($0) == sent })
        #expect(samples.named("exesdb_exporter_messages_rejected_total").allSatisfy { $0.value == 0 })
        #expect(samples.named("exesdb_exporter_payload_fields_ignored_total").isEmpty)
        let perType = Dictionary(
            samples.named("exesdb_exporter_messages_total").map { ($0.labels["type"] ?? "", $0.value) },
            uniquingKeysWith: +)
        for (bus, types) in Self.typesByBus {
            let each = ["ex_esdb_metrics", "ex_esdb_health", "ex_esdb_alerts"].contains(bus) ? 1.0 : 4.0
            for type in types { #expect(perType[type] == each * Self.rounds, "\(type)") }
        }
        for (family, expected) in Self.sixBusSeries {
            let found = samples.named(family)
            let matched =
                found.count == expected.count
                && expected.allSatisfy { labels, value in
                    found.contains { $0.labels == labels && abs($0.value - value) <= abs(value) * 1e-9 }
                }
            #expect(matched, "\(family): \(found.map { SeriesValue($0.labels, $0.value) }) expected \(expected)")
        }
        try await expectBothFormatsAgree(exporter)
    }

    /// Hostile and mutated payloads of the six buses, ExESDB's shapes and its bare log_event: every
    /// message is taken or rejected and counted, every label bounded, the exposition sound.
    @Test func hostileAndMutatedPayloadsAreCountedAndBoundedNeverACrash() async throws {
        let publisher = try await Publisher.rounds(1, of: "mutants")
        defer { publisher.stop() }
        let exporter = try await RunningExporter.joining(publisher)
        defer { exporter.stop() }
        let sent = try await published(publisher)
        let samples = try await waitForSamples(exporter, "all \(sent) messages") { samples in
            Self.taken(samples) + samples.named("exesdb_exporter_messages_rejected_total").map(\.value).reduce(0, +)
                == sent
        }
        #expect(exporter.process.isRunning)
        #expect(try await exporter.get("/-/healthy").status == 200)
        let rejected = samples.named("exesdb_exporter_messages_rejected_total").filter { $0.value > 0 }
        #expect(Set(rejected.map { $0.labels["reason"] ?? "" }).isSubset(of: ["malformed", "unsigned"]))
        #expect(
            rejected.contains { $0.labels == ["bus": "ex_esdb_logging", "reason": "unsigned"] && $0.value == 1 },
            "ExESDB's bare log_event, with a secret set")
        #expect(exporter.lines.contains { $0.contains("logging publisher broadcasts {log_event, Map} unsigned") })
        #expect(!samples.named("exesdb_exporter_payload_fields_ignored_total").isEmpty)
        for sample in samples where sample.name.hasPrefix("exesdb_") {
            #expect(sample.labels.values.allSatisfy { $0.utf8.count <= 128 }, "\(sample.name)")
        }
        for (family, label, values) in Self.enumerations {
            let found = Set(samples.named(family).compactMap { $0.labels[label] })
            #expect(found.isSubset(of: values.union(["other"])), "\(family) \(label): \(found)")
        }
        try await expectBothFormatsAgree(exporter)
    }

    /// 10^5 signed log entries, each from a random module at a random level: at most 64 modules
    /// and `other` as components, every entry counted, the series well within the limit.
    @Test func aFloodOfLogEntriesFromRandomModulesStaysWithinTheSeriesLimit() async throws {
        let publisher = try await Publisher.rounds(1, of: "flood")
        defer { publisher.stop() }
        let exporter = try await RunningExporter.joining(publisher, ["--metrics.max-series=1000"])
        defer { exporter.stop() }
        let sent = try await published(publisher, timeout: .seconds(120))
        #expect(sent == 100_000)
        let samples = try await waitForSamples(exporter, "every log entry counted", timeout: .seconds(60)) {
            $0.named("exesdb_log_entries_total").map(\.value).reduce(0, +) == 100_000
        }
        let entries = samples.named("exesdb_log_entries_total")
        let components = Set(entries.compactMap { $0.labels["component"] })
        #expect(components.count == 65 && components.contains("other"))
        #expect(
            Set(entries.compactMap { $0.labels["level"] }) == ["debug", "info", "warn", "error", "critical", "other"])
        #expect((samples.named("exesdb_exporter_series").first?.value ?? .infinity) <= 1000)
        #expect(samples.named("exesdb_exporter_series_dropped_total").allSatisfy { $0.value == 0 })
    }

    /// The `published N` line of the publisher: how many messages it sent.
    func published(_ publisher: Publisher, timeout: Duration = .seconds(60)) async throws -> Double {
        let line = try await publisher.node.waitForLine(containing: "published ", timeout: timeout)
        return Double(line.split(separator: " ").last ?? "") ?? -1
    }

    static func taken(_ samples: [Sample]) -> Double {
        samples.named("exesdb_exporter_messages_total").map(\.value).reduce(0, +)
    }

    /// promtool accepts the text exposition, and prometheus-client's two parsers read the same
    /// samples from it and from the OpenMetrics one.
    func expectBothFormatsAgree(_ exporter: RunningExporter) async throws {
        let text = try await exporter.get("/metrics").body
        let openMetrics = try await exporter.get(
            "/metrics", ["-H", "Accept: application/openmetrics-text; version=1.0.0"]
        )
        .body
        #expect(openMetrics.hasSuffix("# EOF\n"))
        let directory = try temporaryDirectory("nine-buses")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try text.write(toFile: "\(directory)/metrics.prom", atomically: true, encoding: .utf8)
        let promtool = try await ErlangTools.run("sh", ["-c", "promtool check metrics < '\(directory)/metrics.prom'"])
        #expect(promtool.status == 0 && promtool.output.isEmpty, "promtool: \(promtool.output)")
        let parsed = try await PrometheusClientParsers.compare(
            text: text, openMetrics: openMetrics,
            presenceOnly: ["process_", "exesdb_exporter_scrape_duration_seconds"])
        #expect(parsed.equal, "\(parsed.report.prefix(2000))")
    }
}

/// A series' labels and value, as a message prints it.
struct SeriesValue: CustomStringConvertible {
    let labels: [String: String]
    let value: Double
    init(_ labels: [String: String], _ value: Double) {
        self.labels = labels
        self.value = value
    }
    var description: String { "\(labels.sorted { $0.key < $1.key }) \(value)" }
}
