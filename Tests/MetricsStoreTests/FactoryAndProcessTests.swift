import CoreMetrics
import Foundation
import Testing

@testable import MetricsStore

/// swift-metrics handles land in the store; the process collector reads /proc.
@Suite struct FactoryAndProcessTests {
    @Test func swiftMetricsHandlesLandInTheStore() throws {
        let store = MetricsStore()
        // A catalogue family registered first keeps its help and label order.
        _ = try store.counter(
            "exesdb_exporter_messages_total", help: "Accepted messages.", labels: ["bus", "type"], expires: false)
        let factory = MetricsStoreFactory(store: store)
        let counter = Counter(
            label: "exesdb_exporter_messages_total", dimensions: [("type", "latency_metric"), ("bus", "metrics")],
            factory: factory)
        counter.increment(by: 3)
        Gauge(label: "exesdb_up", factory: factory).record(1)
        Counter(label: "library.requests", dimensions: [("code", "200")], factory: factory).increment()
        CoreMetrics.Timer(
            label: "exesdb_exporter_scrape_duration_seconds", dimensions: [("format", "openmetrics")], factory: factory
        )
        .recordMilliseconds(3)
        let meter = Meter(label: "queue_depth", factory: factory)
        meter.set(5)
        meter.decrement(by: 2)
        let exposition = text(store, .prometheusText)
        #expect(exposition.contains("# HELP exesdb_exporter_messages_total Accepted messages.\n"))
        #expect(
            samples(exposition, prefix: "exesdb_exporter_messages_total{")
                == [#"exesdb_exporter_messages_total{bus="metrics",type="latency_metric"} 3"#])
        #expect(samples(exposition, prefix: "exesdb_up ") == ["exesdb_up 1"])
        #expect(samples(exposition, prefix: "library_requests_total{") == [#"library_requests_total{code="200"} 1"#])
        #expect(
            samples(
                exposition,
                prefix: "exesdb_exporter_scrape_duration_seconds_bucket{format=\"openmetrics\",le=\"0.005\"}")
                == [#"exesdb_exporter_scrape_duration_seconds_bucket{format="openmetrics",le="0.005"} 1"#])
        #expect(samples(exposition, prefix: "queue_depth ") == ["queue_depth 3"])
    }

    @Test func processFamiliesComeFromProc() throws {
        let store = MetricsStore()
        try ProcessCollector(store: store).install(in: store)
        let exposition = text(store, .prometheusText)
        func value(_ name: String) -> Double? {
            samples(exposition, prefix: name + " ").first.flatMap { Double($0.split(separator: " ")[1]) }
        }
        let resident = try #require(value("process_resident_memory_bytes"))
        #expect(resident > 1_000_000 && resident < 64_000_000_000)
        #expect(try #require(value("process_virtual_memory_bytes")) >= resident)
        #expect(try #require(value("process_open_fds")) >= 3)
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        #expect(value("process_max_fds") == Double(limit.rlim_cur))
        let start = try #require(value("process_start_time_seconds"))
        #expect(abs(start - ProcessInfo.processInfo.systemUptime) > 0)  // an absolute time, not an uptime
        #expect(start <= Date().timeIntervalSince1970 && start > Date().timeIntervalSince1970 - 86_400)
        #expect(try #require(value("process_cpu_seconds_total")) > 0)
    }

    @Test func procStatWithSpacesInTheCommandName() {
        let line = "1234 (my (odd) name) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 8 0 1000 4096000 300 0"
        let stat = ProcessStat.parse(line, bootTime: 1_700_000_000, ticksPerSecond: 100, pageSize: 4096)
        #expect(stat?.cpuSeconds == 3)
        #expect(stat?.startTimeSeconds == 1_700_000_010)
        #expect(stat?.virtualBytes == 4_096_000)
        #expect(stat?.residentBytes == Double(300 * 4096))
    }
}
