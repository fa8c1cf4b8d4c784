import BEAMPeers
import ErlangTerm
import Foundation

/// The whole release process as a user runs it, fed by real BEAM nodes through pg, beside a hidden
/// BEAM node doing the same job with the same flood in the same run (`scripts/bench.sh --e2e`).
/// CPU is each whole process's own accounting (/proc/pid/stat), not a stage's.
enum EndToEndBenchmark {
    static let secret = "bench-secret-key-base-0123456789abcdef0123456789abcdef0123456789abcdef"

    struct Settings {
        var messages = 400_000
        var rounds = 3
        var sustainedPerPublisher = 300_000
        var pacedRate = 10_000
        var pacedSeconds = 10
        var exporterBinary = ".build/release/exesdb_exporter"
        /// cpu, sustained or latency: only that part (for a profiler); all by default.
        var only: String?
    }

    static func run(_ settings: Settings, erlangSources: URL) async throws {
        let fixtures = try await ErlangFixtures(sourceDirectory: erlangSources.path)
        print("\nWhole process: the release exporter binary fed by real BEAM publishers through pg")
        if settings.only == nil || settings.only == "cpu" { try await cpuPerMessage(settings, fixtures: fixtures) }
        if settings.only == nil || settings.only == "sustained" { try await sustained(settings, fixtures: fixtures) }
        if settings.only == nil || settings.only == "latency" { try await scrapeLatency(settings, fixtures: fixtures) }
    }

    // MARK: - CPU per message

    /// One publisher floods signed LatencyMetrics to two members of its bus: the exporter and the
    /// BEAM subscriber. Each process's CPU from just before the flood to when it has taken all.
    static func cpuPerMessage(_ settings: Settings, fixtures: ErlangFixtures) async throws {
        let cluster = try await ErlangCluster(fixtures: fixtures)
        let publisher = try await cluster.startNode("e2epub1", expression: "e2e_bench:publisher()")
        defer { publisher.stopNow() }
        let beam = try await startSubscriber(cluster, publishers: ["e2epub1"])
        defer { beam.stopNow() }
        let exporter = try await BenchExporter(
            binary: settings.exporterBinary, seeds: ["e2epub1@localhost"], cluster: cluster, secret: secret)
        defer { exporter.stop() }
        let control = try await ControlNode.joined(cluster, ["e2epub1", "e2esub"])
        defer { control.stop() }
        try await control.waitForMembers(on: "e2epub1", [BenchExporter.name, "e2esub@localhost"])
        let beamAccounting = ProcessAccounting(pid: beam.processIdentifier)
        print(
            "  CPU per message: \(settings.messages) broadcasts from one node to both subscribers at once "
                + "(the exporter, pid \(exporter.process.processIdentifier); a hidden BEAM node, \(beamAccounting.command) "
                + "pid \(beam.processIdentifier), that decodes, re-encodes, checks the HMAC and counts in ETS)")
        var taken = 0.0
        _ = try await flood(20_000, control: control, exporter: exporter, beam: beamAccounting, after: &taken)
        var ratios: [Double] = []
        for round in 1...settings.rounds {
            let result = try await flood(
                settings.messages, control: control, exporter: exporter, beam: beamAccounting, after: &taken)
            ratios.append(result.exporterCPU / result.beamCPU)
            let perMessage = { (seconds: Double) in seconds / Double(settings.messages) * 1e6 }
            print(
                String(
                    format:
                        "    round %d: exporter %6.2f µs/msg (%.2f s CPU, %.2f s wall)   BEAM %6.2f µs/msg (%.2f s CPU, %.2f s wall)   ratio %.3fx",
                    round, perMessage(result.exporterCPU), result.exporterCPU, result.exporterWall,
                    perMessage(result.beamCPU), result.beamCPU, result.beamWall, result.exporterCPU / result.beamCPU))
        }
        try await countAllocations(
            settings.messages / 4, control: control, exporter: exporter, beam: beamAccounting, after: &taken)
        let rejected = try await exporter.rejected()
        print(
            String(
                format:
                    "    median ratio %.3fx (target 0.25x, first milestone 0.5x); exporter RSS %.1f MiB; rejected %.0f",
                ratios.sorted()[ratios.count / 2],
                Double(exporter.accounting.residentBytes ?? 0) / 1_048_576, rejected))
    }

    /// One more flood, not timed, with the exporter's heap allocations counted.
    static func countAllocations(
        _ count: Int, control: ControlNode, exporter: BenchExporter, beam: ProcessAccounting, after taken: inout Double
    ) async throws {
        guard let perf = await ProcessAllocations.start(pid: exporter.process.processIdentifier) else { return }
        _ = try await flood(count, control: control, exporter: exporter, beam: beam, after: &taken)
        guard let allocations = await ProcessAllocations.stop(perf) else {
            print("    allocations: perf counted nothing: \(perf.lines.suffix(3))")
            return
        }
        print(
            String(
                format:
                    "    heap allocations, whole exporter process: %.3f per message (%d in a flood of %d, perf uprobes on malloc, calloc, realloc, posix_memalign, aligned_alloc)",
                Double(allocations) / Double(count), allocations, count))
    }

    struct FloodResult {
        let exporterCPU: Double
        let exporterWall: Double
        let beamCPU: Double
        let beamWall: Double
    }

    /// Floods `count` broadcasts and waits until both subscribers have taken them all.
    static func flood(
        _ count: Int, control: ControlNode, exporter: BenchExporter, beam: ProcessAccounting, after taken: inout Double
    ) async throws -> FloodResult {
        control.send(.tuple([.atom("expect"), .pid(control.pid), .integer(count)]), to: "e2e_sub", on: "e2esub")
        _ = try await control.answer { $0.tagged("expecting") }
        let exporterStart = exporter.accounting.cpuSeconds ?? .nan
        let beamStart = beam.cpuSeconds ?? .nan
        let start = ContinuousClock.now
        control.send(.tuple([.atom("flood"), .pid(control.pid), .integer(count)]), to: "e2e_pub", on: "e2epub1")
        let target = taken + Double(count)
        async let exporterDone = exporter.waitUntilAccepted(target)
        async let beamDone: (Double, ContinuousClock.Instant) = {
            _ = try await control.answer { $0.tagged("done") }
            return (beam.cpuSeconds ?? .nan, ContinuousClock.now)
        }()
        let (exporterEnd, beamEnd) = try await (exporterDone, beamDone)
        taken = target
        return FloodResult(
            exporterCPU: exporterEnd.cpu - exporterStart, exporterWall: seconds(exporterEnd.at - start),
            beamCPU: beamEnd.0 - beamStart, beamWall: seconds(beamEnd.1 - start))
    }

    static func startSubscriber(_ cluster: ErlangCluster, publishers: [String]) async throws -> BackgroundProcess {
        let nodes = publishers.map { "'\($0)@localhost'" }.joined(separator: ",")
        return try await cluster.startNode(
            "e2esub", expression: "e2e_bench:subscriber([\(nodes)], <<\"\(secret)\">>)", extraArguments: ["-hidden"])
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension ControlNode {
    /// A control node connected to each of `nodes`.
    static func joined(_ cluster: ErlangCluster, _ nodes: [String]) async throws -> ControlNode {
        let control = ControlNode(cluster: cluster)
        for node in nodes { try await control.connect(node) }
        return control
    }

    /// Waits until the publisher `alive` lists a member of the bus on each of `nodes`.
    func waitForMembers(on alive: String, _ nodes: [String]) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            send(.tuple([.atom("members"), .pid(pid)]), to: "e2e_pub", on: alive)
            let members = try await answer { term -> [String]? in
                guard let elements = term.tagged("members"), elements.count == 3 else { return nil }
                guard case .list(let list) = elements[2] else { return [] }
                return list.compactMap { if case .atom(let atom) = $0 { atom.name } else { nil } }
            }
            if Set(nodes).isSubset(of: Set(members)) { return }
            guard ContinuousClock.now < deadline else {
                throw ErlangTools.Failure(description: "\(alive) lists members on \(members), not on all of \(nodes)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
