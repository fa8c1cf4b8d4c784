import Aggregation
import BEAMPeers
import ErlangTerm
import Foundation
import GaterMessages
import Logging
import MallocInterposerSwift
import MetricsStore

/// Heap allocations per update on the ingest path, counted by ordo-one's malloc interposer
/// (preloaded: the benchmark starts itself again with LD_PRELOAD when it is not): the store's
/// updates of existing series by label values, the aggregation of a message whose series exist,
/// and, for comparison, the intake of one broadcast (parse, verify, decode).
enum AllocationBenchmark {
    static let library = "libMallocInterposerSwift.so"

    static func run() throws {
        try preloadInterposer()
        MallocInterposerSwift.initialize()
        print("Heap allocations (malloc calls counted by ordo-one/malloc-interposer)")
        try storeUpdates()
        try ingest()
    }

    /// Updates of 1000 existing series of each type, 100 rounds.
    static func storeUpdates() throws {
        let store = MetricsStore()
        let names = ["node", "operation", "stat"]
        let counter = try store.counter("alloc_operations_total", help: "Operations.", labels: names)
        let gauge = try store.gauge("alloc_value", help: "Value.", labels: names)
        let histogram = try store.histogram("alloc_seconds", help: "Latency.", labels: names)
        let labelSets = (0..<1000).map(MetricsBenchmark.labels)
        for labels in labelSets {
            counter.add(1, labels)
            gauge.set(1, labels)
            histogram.observe(0.01, labels)
        }
        let rounds = 100
        let counted = count {
            for round in 0..<rounds {
                for labels in labelSets {
                    counter.add(1, labels)
                    gauge.set(Double(round), labels)
                    histogram.observe(0.002 * Double(round), labels)
                }
            }
        }
        report("store: update of an existing series by label values", counted, per: 3 * rounds * labelSets.count)
    }

    /// One LatencyMetric broadcast: taken in by the intake, then aggregated (its series exist).
    static func ingest() throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let intake = MessageIntake(secret: nil, logger: logger)
        let store = MetricsStore()
        try AggregationFamilies.register(in: store)
        let aggregator = try Aggregator(store: store, alertTTL: .seconds(300), logger: logger)
        let bytes = broadcast().encoded()
        var received: [ReceivedMessage] = []
        received.reserveCapacity(20_000)
        let rounds = 10_000
        func take() throws {
            let view = try TermView(parsing: bytes)
            guard let message = view.element(2, of: view.root),
                let one = intake.receive(
                    peer: "ex_esdb@host-1", bus: "ex_esdb_metrics", topic: "latency", view: view, message: message)
            else { throw ErlangTools.Failure(description: "the allocation benchmark's broadcast was rejected") }
            received.append(one)
        }
        try take()
        aggregator.record(received[0])
        var failure: (any Error)?
        let intakeCount = count {
            for _ in 0..<rounds {
                do { try take() } catch { failure = error }
            }
        }
        if let failure { throw failure }
        report("intake: parse, verify (unsigned) and decode one broadcast", intakeCount, per: rounds)
        let aggregated = count {
            for message in received.prefix(rounds) { aggregator.record(message) }
        }
        report("aggregation: one LatencyMetric into its three families", aggregated, per: rounds)
    }

    /// `{forward_to_local, <<"latency">>, {unsecured_message, {latency_metric, LatencyMetric}}, ...}`.
    static func broadcast() -> Term {
        let timestamp = Term.map(atomKeys: [
            "__struct__": .atom("Elixir.DateTime"), "calendar": .atom("Elixir.Calendar.ISO"), "day": 22,
            "hour": 10, "microsecond": .tuple([123000, 3]), "minute": 15, "month": 11, "second": 30,
            "std_offset": 0, "time_zone": .binary("Etc/UTC"), "utc_offset": 0, "year": 2026,
            "zone_abbr": .binary("UTC"),
        ])
        let latency = Term.map(atomKeys: [
            "__struct__": .atom("Elixir.ExESDBGater.Messages.MetricsMessages.LatencyMetric"),
            "latency_ms": 4.375, "node": .atom("ex_esdb@host-1"), "operation": .atom("stream_append"),
            "percentile": .atom("p99"), "sample_count": 12480, "timestamp": timestamp,
        ])
        return .tuple([
            .atom("forward_to_local"), .binary("latency"),
            .tuple([.atom("unsecured_message"), .tuple([.atom("latency_metric"), latency])]),
            .atom("Elixir.Phoenix.PubSub"),
        ])
    }

    /// Allocations made by `body` on this thread.
    static func count(_ body: () -> Void) -> Int {
        MallocInterposerSwift.hook()
        let before = MallocInterposerSwift.getStatistics().mallocCount
        body()
        MallocInterposerSwift.unhook()
        return MallocInterposerSwift.getStatistics().mallocCount - before
    }

    static func report(_ what: String, _ allocations: Int, per operations: Int) {
        print(
            String(
                format: "  %-58@ %6.2f allocations per operation (%ld in %d)", what as NSString,
                Double(allocations) / Double(operations), allocations, operations))
    }

    /// Starts this benchmark again with the interposer preloaded, unless it already is.
    static func preloadInterposer() throws {
        if ProcessInfo.processInfo.environment["LD_PRELOAD"]?.contains(library) == true { return }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let path = executable.deletingLastPathComponent().appendingPathComponent(library).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ErlangTools.Failure(
                description: "\(path) is missing: run scripts/bench.sh --allocations, which builds it")
        }
        setenv("LD_PRELOAD", path, 1)
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv(executable.path, arguments)
        throw ErlangTools.Failure(description: "cannot start \(executable.path) again with LD_PRELOAD: errno \(errno)")
    }
}
