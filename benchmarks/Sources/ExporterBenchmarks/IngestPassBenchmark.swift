import Aggregation
import BEAMPeers
import ClusterSubscription
@_spi(Benchmarks) import ErlangDistribution
import ErlangTerm
import Foundation
import GaterMessages
import Logging
import MetricsStore
import NIOPosix
import PhoenixPubSub

/// The exporter's ingest pass in one process, without a socket (`scripts/bench.sh --ingest-pass`):
/// the e2e flood's 64 signed LatencyMetric broadcasts, made by a BEAM node as it sends them, each
/// framed as SEND_SENDER to our metrics member and handed to the connection's `FrameDispatcher`,
/// then the real member, intake (scan, HMAC, decode), consumer and aggregation into the store.
///
/// It explains the whole-process figure (`--e2e`), it does not stand in for it: no kernel, no
/// event loop, and the frames stay in cache. Its instruction count per message under
/// `valgrind --tool=callgrind` is the same on a busy machine as on an idle one, which makes it the
/// figure to iterate on (`BENCH_INGEST_ROUNDS` sets how many passes over the 64 frames).
enum IngestPassBenchmark {
    static let secret = EndToEndBenchmark.secret
    static let peer = "ex_esdb@host-1.example"

    static func run(erlangSources: URL, rounds: Int) async throws {
        let frames = try await broadcasts(erlangSources: erlangSources)
        let pass = try Pass(broadcasts: frames)
        pass.dispatchAll()
        let before = pass.accepted
        // Ten samples: on a busy machine the least is what the pass costs, the rest is contention.
        var samples: [(cpu: Double, wall: Double)] = []
        let perSample = max(1, rounds / 10)
        for _ in 0..<10 {
            let start = ContinuousClock.now
            let cpuStart = threadCPUSeconds()
            for _ in 0..<perSample { pass.dispatchAll() }
            let cpu = threadCPUSeconds() - cpuStart
            let elapsed = ContinuousClock.now - start
            let messages = Double(perSample * pass.frames.count)
            samples.append((cpu * 1e9 / messages, EndToEndBenchmark.seconds(elapsed) * 1e9 / messages))
        }
        let messages = 10 * perSample * pass.frames.count
        guard pass.accepted - before == Double(messages) else {
            throw ErlangTools.Failure(
                description: "the ingest pass accepted \(pass.accepted - before) of \(messages) broadcasts")
        }
        let cpu = samples.map(\.cpu).sorted()
        print(
            String(
                format:
                    "Ingest pass in process (frame -> dispatcher -> member -> intake -> aggregation), %d messages: CPU %.0f ns/msg least, %.0f median of 10 samples (wall %.0f least)",
                messages, cpu[0], cpu[5], samples.map(\.wall).min() ?? 0))
    }

    /// This thread's CPU time: on a busy machine it counts what the pass costs, not the waits.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The flood's broadcasts, as a BEAM node named `peer` sends them; from the file
    /// `BENCH_BROADCASTS` names when set (made by `e2e_bench:write_broadcasts/2`), so that a run
    /// under valgrind starts no BEAM.
    static func broadcasts(erlangSources: URL) async throws -> [[UInt8]] {
        let file: URL
        if let given = ProcessInfo.processInfo.environment["BENCH_BROADCASTS"] {
            file = URL(fileURLWithPath: given)
        } else {
            file = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-pass-\(UUID()).bin")
            _ = try await ErlangFixtures(sourceDirectory: erlangSources.path)
                .eval("e2e_bench:write_broadcasts(\"\(file.path)\", '\(peer)')")
        }
        defer {
            if ProcessInfo.processInfo.environment["BENCH_BROADCASTS"] == nil {
                try? FileManager.default.removeItem(at: file)
            }
        }
        let bytes = Array(try Data(contentsOf: file))
        var broadcasts: [[UInt8]] = []
        var offset = 0
        while offset + 4 <= bytes.count {
            let length = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            broadcasts.append(Array(bytes[(offset + 4)..<(offset + 4 + length)]))
            offset += 4 + length
        }
        return broadcasts
    }

    /// The exporter's objects for one peer, wired as the executable wires them.
    final class Pass {
        let frames: [[UInt8]]
        let dispatcher: FrameDispatcher
        let store = MetricsStore()
        let subscription: ClusterSubscription

        init(broadcasts: [[UInt8]]) throws {
            let logger = { () -> Logger in
                var logger = Logger(label: "bench")
                logger.logLevel = .error
                return logger
            }()
            let node = LocalNode(name: NodeName(alive: "exesdb_exporter", host: "bench"), creation: 7)
            // As the exporter registers them at start: the intake's and the subscription's too.
            for family in AggregationFamilies.families() + MessageFamilies.all + ClusterFamilies.all {
                try store.register(family)
            }
            let factory = MetricsStoreFactory(store: store)
            let aggregator = try Aggregator(store: store, alertTTL: .seconds(300), logger: logger)
            let intake = MessageIntake(
                secret: SecretKeyBase(EndToEndBenchmark.secret), logger: logger, metrics: factory)
            subscription = ClusterSubscription(
                node: node, pubsub: PubSubConfiguration(), intake: intake,
                cluster: ClusterSubscription.Configuration(seeds: [NodeName(alive: "ex_esdb", host: "host-1.example")]),
                consumer: AggregatingConsumer(aggregator: aggregator), logger: logger, metrics: factory
            ) { name in
                NodeConnection(
                    peer: name, node: node, cookie: Cookie("unused"), configuration: DistributionConfiguration(),
                    epmd: EPMDClient(group: MultiThreadedEventLoopGroup.singleton, port: 1),
                    group: MultiThreadedEventLoopGroup.singleton, logger: logger, metrics: factory)
            }
            guard let member = node.whereis(Atom("Elixir.ex_esdb_metrics.Adapter")) else {
                throw ErlangTools.Failure(description: "no member of ex_esdb_metrics")
            }
            let from = Pid(node: Atom(IngestPassBenchmark.peer), id: 101, serial: 0, creation: 1_700_000_001)
            let control = [112] + ControlMessage.sendSender(from: from, to: member).term.encoded()
            frames = broadcasts.map { control + $0 }
            dispatcher = FrameDispatcher(
                peer: IngestPassBenchmark.peer, node: node, route: NoRoute(), limits: .default, logger: logger,
                metrics: factory)
        }

        /// The 64 frames as one read brings them: one clock reading for all.
        func dispatchAll() {
            let arrivedAt = Date().timeIntervalSince1970
            for frame in frames {
                frame.withUnsafeBufferPointer { bytes in try? dispatcher.dispatch(bytes, arrivedAt: arrivedAt) }
            }
        }

        /// `exesdb_exporter_messages_total` so far.
        var accepted: Double {
            let text = String(decoding: store.render(.prometheusText), as: UTF8.self)
            return text.split(separator: "\n").filter { $0.hasPrefix("exesdb_exporter_messages_total{") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
        }
    }

    /// As the executable's consumer, without webhooks (a LatencyMetric never goes to one).
    struct AggregatingConsumer: MessageConsumer {
        let aggregator: Aggregator
        func consume(_ message: borrowing GaterMessage, peer: String, bus: String, topic: String, receivedAt: Double) {
            aggregator.record(message, peer: peer, topic: topic, at: receivedAt)
        }
    }

    /// The dispatcher answers nothing for broadcasts; a route is needed all the same.
    final class NoRoute: PeerRoute {
        let peerName = IngestPassBenchmark.peer
        let negotiated = DistributionFlags.advertised
        func send(_ control: ControlMessage, payload: Term?) {}
    }
}
