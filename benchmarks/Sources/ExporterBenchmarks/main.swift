import Foundation

/// Release-mode benchmarks, run by `scripts/bench.sh`; each prints its figures beside the peer
/// measured in the same run.
let arguments = Array(CommandLine.arguments.dropFirst())

/// The word after `flag`; nil when the flag is absent. A flag without its value stops the run.
func value(after flag: String) -> String? {
    guard let index = arguments.firstIndex(of: flag) else { return nil }
    guard index + 1 < arguments.count else {
        FileHandle.standardError.write(Data("benchmark: \(flag) needs a value (see scripts/bench.sh --help)\n".utf8))
        exit(2)
    }
    return arguments[index + 1]
}

if arguments.contains("--help") {
    print(
        """
        usage: scripts/bench.sh [mode] [--iterations N] [--messages N]
          (no mode)                 codec, frame-to-message and distribution beside the BEAM; MetricsStore
          --e2e [--messages N] [--rounds N] [--only cpu|sustained|latency] [--binary PATH]
                                    the release exporter binary fed by real publisher nodes beside a
                                    hidden BEAM subscriber: CPU per message, sustained rate from three
                                    publishers, broadcast-to-scrape latency
          --ingest-pass             the ingest pass in one process, no socket (BENCH_INGEST_ROUNDS passes over
                                    64 broadcasts): the figure to iterate on, thread CPU, least of 10
          --scrapes [--operations N (100)] [--seconds N (10)] [--binary PATH]
                                    200 and 500 kept-alive scrapers at once against the release binary
                                    serving a real node's series: p50/p99 per scrape, text and OpenMetrics+gzip
          --distribution [--messages N]   receiving over the distribution beside a BEAM node
          --metrics                 MetricsStore render beside swift-prometheus (10^4, 10^5 series)
          --metrics-updates         updates per second on the ingest path
          --metrics-render          render profile
          --metrics-memory N store|swift-prometheus   resident bytes per series in a fresh process
          --allocations             heap allocations per update (store, aggregation) and per intake
          --webhooks [--deliveries N] [--escalations N]   webhook deliveries per second and p99 latency
          --profile-intake FILE     the frame-to-message path on FILE with a per-stage breakdown
          --profile-decode FILE     decode FILE in a loop (for a profiler)
        """)
    exit(0)
}
let iterations = value(after: "--iterations").flatMap { Int($0) } ?? 200_000
let sources = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("benchmarks/erlang")

do {
    if arguments.contains("--e2e") {
        var settings = EndToEndBenchmark.Settings()
        if let messages = value(after: "--messages").flatMap({ Int($0) }) { settings.messages = messages }
        if let rounds = value(after: "--rounds").flatMap({ Int($0) }) { settings.rounds = max(1, rounds) }
        settings.only = value(after: "--only")
        if let binary = value(after: "--binary") { settings.exporterBinary = binary }
        try await EndToEndBenchmark.run(settings, erlangSources: sources)
    } else if arguments.contains("--ingest-pass") {
        let rounds = Int(ProcessInfo.processInfo.environment["BENCH_INGEST_ROUNDS"] ?? "") ?? 20_000
        try await IngestPassBenchmark.run(erlangSources: sources, rounds: rounds)
    } else if arguments.contains("--scrapes") {
        var settings = ScrapeBenchmark.Settings()
        if let operations = value(after: "--operations").flatMap({ Int($0) }) { settings.operations = operations }
        if let seconds = value(after: "--seconds").flatMap({ Int($0) }) { settings.seconds = max(1, seconds) }
        if let binary = value(after: "--binary") { settings.exporterBinary = binary }
        try await ScrapeBenchmark.run(settings, erlangSources: sources)
    } else if arguments.contains("--distribution") {
        let messages = value(after: "--messages").flatMap { Int($0) } ?? 300_000
        try await DistributionBenchmark.run(messages: messages, erlangSources: sources)
    } else if let count = value(after: "--metrics-memory") {
        let holder = value(after: count) ?? "store"
        try MetricsBenchmark.measureResident(count: Int(count) ?? 0, holder: holder)
    } else if arguments.contains("--allocations") {
        try AllocationBenchmark.run()
    } else if arguments.contains("--metrics-render") {
        try MetricsBenchmark.profileRender()
    } else if arguments.contains("--metrics-updates") {
        try MetricsBenchmark.updates()
    } else if arguments.contains("--metrics") {
        try MetricsBenchmark.run()
    } else if let file = value(after: "--profile-intake") {
        // Swift side only, for a profiler: the frame-to-message path on the given message file.
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        // BENCH_STAGE=<prefix> runs only the matching stages and BENCH_STAGE=whole only the whole
        // path, for a profiler.
        let stage = ProcessInfo.processInfo.environment["BENCH_STAGE"]
        if stage == nil || stage == "whole" || stage == "scanned" {
            try IntakeBenchmark.run(
                message: bytes, secret: "bench-secret-key-base-0123456789abcdef0123456789abcdef0123456789abcdef",
                beamNanoseconds: .nan, iterations: iterations)
        }
        try IntakeBenchmark.stages(
            message: bytes, secret: "bench-secret-key-base-0123456789abcdef0123456789abcdef0123456789abcdef",
            iterations: iterations)
    } else if arguments.contains("--webhooks") {
        let deliveries = value(after: "--deliveries").flatMap { Int($0) } ?? 20_000
        let escalations = value(after: "--escalations").flatMap { Int($0) } ?? 2000
        try await WebhookBenchmark.run(deliveries: deliveries, escalations: escalations, erlangSources: sources)
    } else if let file = value(after: "--profile-decode") {
        // Swift side only, for a profiler: decode the given message file in a loop.
        try CodecBenchmark.profileDecode(file: URL(fileURLWithPath: file), iterations: iterations)
    } else {
        try await CodecBenchmark.run(iterations: iterations, erlangSources: sources)
        let messages = value(after: "--messages").flatMap { Int($0) } ?? 300_000
        try await DistributionBenchmark.run(messages: messages, erlangSources: sources)
        try MetricsBenchmark.run()
    }
} catch {
    FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
    exit(1)
}
