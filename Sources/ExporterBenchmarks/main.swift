import Foundation

/// Release-mode benchmarks, run by `scripts/bench.sh`; each prints its figures beside the peer
/// measured in the same run.
let arguments = Array(CommandLine.arguments.dropFirst())
let iterations = arguments.firstIndex(of: "--iterations").flatMap { Int(arguments[$0 + 1]) } ?? 200_000
let sources = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("benchmarks/erlang")

do {
    if let index = arguments.firstIndex(of: "--metrics-memory") {
        try MetricsBenchmark.measureResident(count: Int(arguments[index + 1]) ?? 0, holder: arguments[index + 2])
    } else if arguments.contains("--metrics-render") {
        try MetricsBenchmark.profileRender()
    } else if arguments.contains("--metrics-updates") {
        try MetricsBenchmark.updates()
    } else if arguments.contains("--metrics") {
        try MetricsBenchmark.run()
    } else if let index = arguments.firstIndex(of: "--profile-intake") {
        // Swift side only, for a profiler: the frame-to-message path on the given message file.
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: arguments[index + 1])))
        try IntakeBenchmark.run(
            message: bytes, secret: "bench-secret-key-base-0123456789abcdef0123456789abcdef0123456789abcdef",
            beamNanoseconds: .nan, iterations: iterations)
        try IntakeBenchmark.stages(
            message: bytes, secret: "bench-secret-key-base-0123456789abcdef0123456789abcdef0123456789abcdef",
            iterations: iterations)
    } else if arguments.contains("--webhooks") {
        let deliveries = arguments.firstIndex(of: "--deliveries").flatMap { Int(arguments[$0 + 1]) } ?? 20_000
        let escalations = arguments.firstIndex(of: "--escalations").flatMap { Int(arguments[$0 + 1]) } ?? 2000
        try await WebhookBenchmark.run(deliveries: deliveries, escalations: escalations, erlangSources: sources)
    } else if let index = arguments.firstIndex(of: "--profile-decode") {
        // Swift side only, for a profiler: decode the given message file in a loop.
        try CodecBenchmark.profileDecode(file: URL(fileURLWithPath: arguments[index + 1]), iterations: iterations)
    } else {
        try CodecBenchmark.run(iterations: iterations, erlangSources: sources)
        let messages = arguments.firstIndex(of: "--messages").flatMap { Int(arguments[$0 + 1]) } ?? 300_000
        try await DistributionBenchmark.run(messages: messages, erlangSources: sources)
        try MetricsBenchmark.run()
    }
} catch {
    FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
    exit(1)
}
