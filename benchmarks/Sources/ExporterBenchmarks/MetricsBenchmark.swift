import CoreMetrics
import Foundation
import MetricsStore
import Prometheus

/// Renders 10^4 and 10^5 series of the catalogue's shapes in both formats beside
/// swift-prometheus's `PrometheusCollectorRegistry.emit` holding the same series, measures heap
/// bytes per series for both, and updates per second on the ingest path.
enum MetricsBenchmark {
    static func run(seriesCounts: [Int] = [10_000, 100_000]) throws {
        for count in seriesCounts { try compare(seriesCount: count) }
        try updates()
    }

    /// Series `index` of a mix like a busy cluster's: half counters, four in ten gauges, one in
    /// ten latency histograms, labelled by node, operation and statistic.
    static func labels(_ index: Int) -> [String] {
        ["ex_esdb@host-\(index % 20).cluster.internal", "operation_\(index / 20)", ["p50", "p95", "p99"][index % 3]]
    }

    static let labelNames = ["node", "operation", "stat"]
    static let buckets = FamilyDescriptor.defaultBuckets

    private static func compare(seriesCount: Int) throws {
        let store = MetricsStore(configuration: StoreConfiguration(maxSeries: seriesCount * 2))
        try fillStore(store, seriesCount: seriesCount)
        let registry = PrometheusCollectorRegistry()
        fillRegistry(registry, seriesCount: seriesCount)

        // Both sides render into a buffer reused across scrapes, as a server would.
        var buffer: [UInt8] = []
        buffer.reserveCapacity(store.render(.openMetrics).count * 2)
        let text = milliseconds {
            buffer.removeAll(keepingCapacity: true)
            store.render(.prometheusText, into: &buffer)
            return buffer.count
        }
        let openMetrics = milliseconds {
            buffer.removeAll(keepingCapacity: true)
            store.render(.openMetrics, into: &buffer)
            return buffer.count
        }
        let peer = milliseconds {
            buffer.removeAll(keepingCapacity: true)
            registry.emit(into: &buffer)
            return buffer.count
        }
        let ours = try residentPerSeries(seriesCount, "store")
        let theirs = try residentPerSeries(seriesCount, "swift-prometheus")
        print("\nMetricsStore, \(seriesCount) series (10% histograms, 50% counters, 40% gauges)")
        print(
            String(
                format:
                    "  render Prometheus text   %8.2f ms   swift-prometheus emit %8.2f ms   ratio %.2fx (target <= 0.5x)",
                text.ms, peer.ms, text.ms / peer.ms))
        print(
            String(
                format: "  render OpenMetrics       %8.2f ms   ratio %.2fx", openMetrics.ms, openMetrics.ms / peer.ms))
        print(
            String(
                format: "  body size                %8d B (text), %d B (OpenMetrics), %d B (swift-prometheus)",
                text.bytes, openMetrics.bytes, peer.bytes))
        print(
            String(
                format: "  resident per series       %8.0f B   swift-prometheus %8.0f B   (target <= 300 B)", ours,
                theirs))
    }

    /// Our renders only, for a profiler.
    static func profileRender(seriesCount: Int = 100_000) throws {
        let store = MetricsStore(configuration: StoreConfiguration(maxSeries: seriesCount * 2))
        try fillStore(store, seriesCount: seriesCount)
        var buffer: [UInt8] = []
        for format in ExpositionFormat.allCases {
            let result = milliseconds {
                buffer.removeAll(keepingCapacity: true)
                store.render(format, into: &buffer)
                return buffer.count
            }
            print("\(format): \(result.ms) ms")
        }
        for _ in 0..<20 {
            for format in ExpositionFormat.allCases {
                buffer.removeAll(keepingCapacity: true)
                store.render(format, into: &buffer)
            }
        }
    }

    private static func fillStore(_ store: MetricsStore, seriesCount: Int, labelSets: [[String]]? = nil) throws {
        let counter = try store.counter("bench_operations_total", help: "Operations.", labels: labelNames)
        let gauge = try store.gauge(
            "bench_latency_reported_seconds", help: "Latency.", unit: "seconds", labels: labelNames)
        let histogram = try store.histogram(
            "bench_latency_seconds", help: "Latency.", unit: "seconds", labels: labelNames, buckets: buckets)
        for index in 0..<seriesCount {
            let values = labelSets?[index] ?? labels(index)
            switch index % 10 {
            case 0: for sample in 0..<5 { histogram.observe(Double(sample) * 0.003 + 0.0001, values) }
            case 1...5: counter.add(Double(index * 7 % 100_000), values)
            default: gauge.set(Double(index % 977) / 1000.0 + 0.000123, values)
            }
        }
    }

    private static func fillRegistry(
        _ registry: PrometheusCollectorRegistry, seriesCount: Int, labelSets: [[String]]? = nil
    ) {
        for index in 0..<seriesCount {
            let values = Array(zip(labelNames, labelSets?[index] ?? labels(index)))
            switch index % 10 {
            case 0:
                let histogram = registry.makeValueHistogram(
                    descriptor: MetricNameDescriptor(
                        metricName: "bench_latency", unitName: "seconds", helpText: "Latency."),
                    labels: values, buckets: buckets)
                for sample in 0..<5 { histogram.record(Double(sample) * 0.003 + 0.0001) }
            case 1...5:
                registry.makeCounter(
                    descriptor: MetricNameDescriptor(
                        metricName: "bench_operations", unitName: "total", helpText: "Operations."),
                    labels: values
                ).increment(by: Int64(index * 7 % 100_000))
            default:
                registry.makeGauge(
                    descriptor: MetricNameDescriptor(
                        metricName: "bench_latency_reported", unitName: "seconds", helpText: "Latency."),
                    labels: values
                ).set(to: Double(index % 977) / 1000.0 + 0.000123)
            }
        }
    }

    /// Updates on one core: by label values (lookup and update, what the aggregation does) and
    /// through a held swift-metrics handle.
    static func updates() throws {
        let store = MetricsStore()
        let counter = try store.counter("bench_operations_total", help: "Operations.", labels: labelNames)
        let gauge = try store.gauge("bench_value", help: "Value.", labels: labelNames)
        let label = (0..<1000).map(labels)
        for values in label { counter.add(1, values) }
        let iterations = 5_000_000
        var index = 0
        let byLabels = nanosecondsPerCall(iterations: iterations, runs: 3) {
            index = index == 999 ? 0 : index + 1
            counter.add(1, label[index])
            return index
        }
        let gaugeByLabels = nanosecondsPerCall(iterations: iterations, runs: 3) {
            index = index == 999 ? 0 : index + 1
            gauge.set(Double(index), label[index])
            return index
        }
        let handle = CoreMetrics.Counter(
            label: "bench_handle_total", dimensions: [("node", "a")], factory: MetricsStoreFactory(store: store))
        let held = nanosecondsPerCall(iterations: iterations * 4, runs: 3) {
            handle.increment()
            return 1
        }
        let peerCounter = PrometheusCollectorRegistry().makeCounter(
            descriptor: MetricNameDescriptor(metricName: "bench", unitName: "total", helpText: "B."),
            labels: [("node", "a")])
        let peerHeld = nanosecondsPerCall(iterations: iterations * 4, runs: 3) {
            peerCounter.increment()
            return 1
        }
        print("\nMetricsStore updates, one core (target >= 5 million counter/gauge updates per second)")
        print(String(format: "  counter add by label values  %6.1f ns = %5.1f M/s", byLabels.ns, 1000 / byLabels.ns))
        print(
            String(
                format: "  gauge set by label values    %6.1f ns = %5.1f M/s", gaugeByLabels.ns, 1000 / gaugeByLabels.ns
            ))
        print(
            String(
                format: "  counter through a handle     %6.1f ns = %5.1f M/s   swift-prometheus handle %5.1f ns",
                held.ns, 1000 / held.ns, peerHeld.ns))
    }

    /// Best of five runs, in milliseconds, and the body's size.
    private static func milliseconds(_ body: () -> Int) -> (ms: Double, bytes: Int) {
        var best = Double.infinity
        var bytes = body()
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            bytes = body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return (best, bytes)
    }

    /// Resident bytes per series, measured in a fresh process so nothing freed earlier is reused.
    private static func residentPerSeries(_ count: Int, _ holder: String) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["--metrics-memory", "\(count)", holder]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Double(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? .nan
    }

    /// The child side of `residentPerSeries`: fills one holder and prints bytes per series.
    static func measureResident(count: Int, holder: String) throws {
        let labelSets = (0..<count).map(labels)  // made before the baseline: they are the input, not the store
        // A small holder filled first and kept: the code, runtime metadata and allocator arenas
        // that the first use faults in are not per series, and would weigh on small counts.
        var keep: [AnyObject] = [try filled(holder, count: 1000, labelSets: (0..<1000).map { labels(count + $0) })]
        let before = residentBytes()
        keep.append(try filled(holder, count: count, labelSets: labelSets))
        let after = residentBytes()
        print(Double(after - before) / Double(count))
        withExtendedLifetime(keep) {}
    }

    private static func filled(_ holder: String, count: Int, labelSets: [[String]]) throws -> AnyObject {
        if holder == "store" {
            let store = MetricsStore(configuration: StoreConfiguration(maxSeries: count * 2))
            try fillStore(store, seriesCount: count, labelSets: labelSets)
            return store
        }
        let registry = PrometheusCollectorRegistry()
        fillRegistry(registry, seriesCount: count, labelSets: labelSets)
        return registry
    }

    /// Resident memory, from /proc/self/statm (pages in the second field).
    private static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
