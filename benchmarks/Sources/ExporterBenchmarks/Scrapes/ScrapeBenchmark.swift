import BEAMPeers
import Foundation

/// Many scrapers at once against the release binary (`scripts/bench.sh --scrapes`): a real
/// publisher node keeps a realistic store alive in the exporter, then 200 and 500 kept-alive
/// scrapers ask for /metrics back to back, plain text and OpenMetrics gzipped, and each scrape's
/// time from request to the whole answer is recorded. The scrapers run in this process, on the
/// same two cores as the exporter.
enum ScrapeBenchmark {
    struct Settings {
        var operations = 100
        var seconds = 10
        var concurrencies = [200, 500]
        var timeout: Duration = .seconds(10)
        var exporterBinary = ".build/release/exesdb_exporter"
    }

    static func run(_ settings: Settings, erlangSources: URL) async throws {
        let fixtures = try await ErlangFixtures(sourceDirectory: erlangSources.path)
        let cluster = try await ErlangCluster(fixtures: fixtures)
        let publisher = try await cluster.startNode(
            "scrapepub",
            expression: "scrape_bench:publisher(\(settings.operations), <<\"\(EndToEndBenchmark.secret)\">>)")
        defer { publisher.stopNow() }
        let exporter = try await BenchExporter(
            binary: settings.exporterBinary, seeds: ["scrapepub@localhost"], cluster: cluster,
            secret: EndToEndBenchmark.secret)
        defer { exporter.stop() }
        let series = try await waitForStore(exporter, operations: settings.operations)
        print(
            "\nScrapes: the release exporter binary (\(settings.exporterBinary)) serving \(series) series "
                + "(\(settings.operations) operations x 3 stats of LatencyMetrics from a real node, refreshed every second); "
                + "kept-alive scrapers asking again as soon as answered, \(settings.seconds) s per run, timeout \(settings.timeout)"
        )
        for mode in ScrapeMode.allCases {
            let alone = await measure(exporter, mode: mode, scrapers: 1, settings: settings, seconds: 3)
            print("  one scraper alone, \(mode): \(summary(alone))")
        }
        for scrapers in settings.concurrencies {
            for mode in ScrapeMode.allCases {
                let result = await measure(exporter, mode: mode, scrapers: scrapers, settings: settings)
                print("  \(scrapers) scrapers, \(mode): \(summary(result))")
            }
        }
    }

    struct RunResult {
        let log: ScrapeLog
        let seconds: Double
        let cpu: Double
    }

    static func measure(
        _ exporter: BenchExporter, mode: ScrapeMode, scrapers: Int, settings: Settings, seconds: Int? = nil
    ) async -> RunResult {
        let log = ScrapeLog()
        let length = Duration.seconds(seconds ?? settings.seconds)
        let cpuBefore = exporter.accounting.cpuSeconds ?? .nan
        let start = ContinuousClock.now
        await withDiscardingTaskGroup { group in
            for _ in 0..<scrapers {
                group.addTask {
                    await Scraper.run(
                        port: exporter.port, mode: mode, until: start + length, timeout: settings.timeout, log: log)
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // Let the exporter finish what the closed connections left before the next run.
        try? await Task.sleep(for: .seconds(2))
        return RunResult(log: log, seconds: wall, cpu: (exporter.accounting.cpuSeconds ?? .nan) - cpuBefore)
    }

    static func summary(_ result: RunResult) -> String {
        let durations = result.log.durations.sorted()
        func percentile(_ p: Double) -> String {
            guard !durations.isEmpty else { return "-" }
            let index = min(durations.count - 1, Int((Double(durations.count) * p).rounded(.up)) - 1)
            return String(format: "%.1f ms", durations[max(0, index)] * 1000)
        }
        return "p50 \(percentile(0.5)), p99 \(percentile(0.99)), max \(percentile(1)); "
            + String(format: "%d answered (%.0f/s)", durations.count, Double(durations.count) / result.seconds)
            + ", \(result.log.timeouts) timed out, \(result.log.failures) failed; body \(result.log.bodyBytes) bytes; "
            + String(format: "exporter CPU %.2f cores", result.cpu / result.seconds)
    }

    /// Waits until every operation's three stats are served; returns the live series.
    static func waitForStore(_ exporter: BenchExporter, operations: Int) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            let text = try await exporter.scrape()
            let latency = text.split(separator: "\n").count { $0.hasPrefix("exesdb_latency_reported_seconds{") }
            if latency >= operations * 3 {
                return Int(LoopbackHTTP.sample(text, "exesdb_exporter_series") ?? 0)
            }
            guard ContinuousClock.now < deadline else {
                throw ErlangTools.Failure(description: "the exporter serves \(latency) of \(operations * 3) latencies")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}
