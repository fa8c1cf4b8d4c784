import BEAMPeers
import Foundation

/// The release `exesdb_exporter` binary, run as an operator runs it, joined to the benchmark's nodes.
final class BenchExporter: Sendable {
    static let name = "e2eexp@localhost"
    let port: Int
    let process: BackgroundProcess
    private let directory: String

    init(binary: String, seeds: [String], cluster: ErlangCluster, secret: String) async throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ErlangTools.Failure(
                description:
                    "no exporter binary at \(binary): build it with swift build -c release --product exesdb_exporter")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-bench-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let cookieFile = directory + "/cookie"
        let secretFile = directory + "/secret"
        for (text, path) in [(cluster.cookie, cookieFile), (secret, secretFile)] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o400)
        }
        port = ErlangTools.freePort()
        process = try BackgroundProcess(
            binary,
            seeds.map { "--erlang.nodes=\($0)" } + [
                "--erlang.name=\(Self.name)", "--erlang.cookie-file=\(cookieFile)",
                "--security.secret-key-base-file=\(secretFile)", "--web.listen-address=127.0.0.1:\(port)",
            ], environment: cluster.environment)
        for _ in seeds {
            try await process.waitForLine(containing: "joined the PubSub groups", timeout: .seconds(60))
        }
    }

    var accounting: ProcessAccounting { ProcessAccounting(pid: process.processIdentifier) }

    /// The exposition, scraped off the task pool.
    func scrape() async throws -> String {
        let port = port
        return try await offThePool { try LoopbackHTTP.get(port: port, path: "/metrics") }
    }

    /// LatencyMetrics accepted so far.
    func accepted() async throws -> Double {
        LoopbackHTTP.sample(try await scrape(), "exesdb_exporter_messages_total", [#"type="latency_metric""#]) ?? 0
    }

    /// Messages rejected so far, for every reason.
    func rejected() async throws -> Double {
        LoopbackHTTP.sample(try await scrape(), "exesdb_exporter_messages_rejected_total") ?? 0
    }

    /// Waits until `count` LatencyMetrics were accepted in all; returns the CPU seconds and the
    /// time when the exporter had taken the last of them. Scrapes cost the exporter some 200 µs
    /// each, so it is scraped only once it has gone quiet (under 1 ms of CPU in 100 ms, from the
    /// threads' nanosecond accounting), and then the figures are those from before that scrape.
    func waitUntilAccepted(_ count: Double) async throws -> (cpu: Double, at: ContinuousClock.Instant) {
        var quietSince = ContinuousClock.now
        var quietFrom = accounting.threadNanoseconds
        while true {
            try await Task.sleep(for: .milliseconds(5))
            let busy = accounting.threadNanoseconds
            if busy - quietFrom > 1_000_000 {
                (quietSince, quietFrom) = (.now, busy)
                continue
            }
            guard ContinuousClock.now - quietSince >= .milliseconds(100) else { continue }
            let cpu = accounting.cpuSeconds ?? .nan
            if try await accepted() >= count { return (cpu, quietSince) }
            (quietSince, quietFrom) = (.now, accounting.threadNanoseconds)
        }
    }

    /// Stops the exporter without waiting (for `defer`); its files go once it has ended.
    func stop() {
        let directory = directory
        process.stopNow { try? FileManager.default.removeItem(atPath: directory) }
    }
}
