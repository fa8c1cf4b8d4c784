import BEAMPeers
import ClusterSubscription
import ErlangDistribution
import ErlangTerm
import Foundation
import GaterMessages
import Logging
import NIOPosix
import PhoenixPubSub
import WebhookForwarder

/// The webhook forwarder against a keep-alive receiver on loopback (the same process, sharing
/// the two cores): sustained deliveries per second, and the latency from an escalation's
/// broadcast on a real BEAM node, through the cluster subscription and the spool, to its arrival.
enum WebhookBenchmark {
    static let secret = "bench-webhook-secret-key-base-0123456789abcdef"

    /// The two ways to feed the forwarder, both with the spool on disk.
    enum Ingest: CaseIterable {
        /// `receive(_:from:durably: false)`, as the exporter's ingest path calls it.
        case production
        /// `receive(_:from:durably: true)`: each caller waits until its deliveries are synced.
        case waitsForSync

        var durably: Bool { self == .waitsForSync }
        var label: String {
            switch self {
            case .production: "production: ingest does not wait for the sync"
            case .waitsForSync: "ingest waits for each sync"
            }
        }
    }

    static func run(deliveries: Int, escalations: Int, erlangSources: URL) async throws {
        print("\nWebhooks: json format, one endpoint on loopback, HTTP/1.1 keep-alive, spool on disk")
        let disk = FileManager.default.temporaryDirectory.appendingPathComponent("exesdb-wh-bench-\(UUID())").path
        var rates: [Ingest: Double] = [:]
        var p99s: [Ingest: Double] = [:]
        for ingest in Ingest.allCases {
            print("  \(ingest.label):")
            rates[ingest] = try await throughput(deliveries, spool: disk + "/throughput-\(ingest)", ingest: ingest)
            p99s[ingest] = try await latency(
                escalations, erlangSources: erlangSources, spool: disk + "/latency-\(ingest)", durably: ingest.durably,
                label: "broadcast -> arrival, \(escalations), one every 2 ms")
        }
        if FileManager.default.fileExists(atPath: "/dev/shm") {
            print("  for comparison, spool on tmpfs (no disk), ingest waits for each sync:")
            _ = try await latency(
                escalations, erlangSources: erlangSources, spool: "/dev/shm/exesdb-wh-bench-\(UUID())", durably: true,
                label: "broadcast -> arrival, \(escalations), one every 2 ms")
        }
        print("  Summary, spool on disk (targets: >= 2000 deliveries/s, p99 < 10 ms):")
        for ingest in Ingest.allCases {
            print(
                "    " + ingest.label.padding(toLength: 48, withPad: " ", startingAt: 0)
                    + String(
                        format: "%7.0f deliveries/s   p99 %6.2f ms", rates[ingest] ?? .nan,
                        (p99s[ingest] ?? .nan) * 1000))
        }
    }

    // MARK: - Throughput

    /// Deliveries per second, from the first escalation fed to the last delivery's arrival.
    static func throughput(_ count: Int, spool: String, ingest: Ingest) async throws -> Double {
        let receiver = try await WebhookReceiver.start()
        var endpoint = WebhookEndpointConfiguration(name: "bench", url: receiver.url + "/hook", format: .json)
        endpoint.maxInFlight = 32
        let forwarder = try WebhookForwarder(
            configuration: WebhookConfiguration(spoolDirectory: spool, endpoints: [endpoint], dedupWindow: .zero),
            logger: quietLogger)
        let task = Task { try await forwarder.run() }
        defer { task.cancel() }
        let warmUp = min(500, count)
        let messages = try escalations(count + warmUp, prefix: "t")
        for message in messages.prefix(warmUp) { await forwarder.receive(message, from: "bench@localhost") }
        _ = try await receiver.waitForRequests(warmUp, timeout: .seconds(60))

        let start = ContinuousClock.now
        let feeders = 16
        await withTaskGroup(of: Void.self) { group in
            for feeder in 0..<feeders {
                group.addTask {
                    for index in stride(from: warmUp + feeder, to: messages.count, by: feeders) {
                        await forwarder.receive(messages[index], from: "bench@localhost", durably: ingest.durably)
                    }
                }
            }
        }
        let taken = seconds(ContinuousClock.now - start)
        // Without waiting, the ingest is done before the disk: the last sync is measured too.
        let synced = await forwarder.waitUntilSpooled()
        let onDisk = seconds(ContinuousClock.now - start)
        _ = try await receiver.waitForRequests(count + warmUp, timeout: .seconds(300))
        let delivered = seconds(ContinuousClock.now - start)
        print(
            String(
                format:
                    "    %d escalations from %d concurrent feeders: taken in %.2f s (%.0f/s), all on disk after %.2f s",
                count, feeders, taken, Double(count) / taken, onDisk) + (synced ? "" : " (A SPOOL WRITE FAILED)"))
        print(
            String(
                format: "    delivered in %.2f s: %.0f deliveries/s over %d connections", delivered,
                Double(count) / delivered, receiver.connections))
        await receiver.stop()
        return Double(count) / delivered
    }

    /// AlertEscalations as the intake decodes them from the terms a publisher broadcasts.
    static func escalations(_ count: Int, prefix: String) throws -> [GaterMessage] {
        let intake = MessageIntake(secret: nil, logger: quietLogger)
        return try (0..<count).map { index in
            let fields: [(String, Term)] = [
                ("__struct__", .atom("Elixir.ExESDBGater.Messages.AlertMessages.AlertEscalation")),
                ("alert_id", .binary(Array("\(prefix)\(index)".utf8))), ("from_level", .atom("level1")),
                ("to_level", .atom("level2")), ("escalation_reason", .binary(Array("bench".utf8))),
                ("escalated_by", .atom("bench")), ("notify_contacts", .list([.binary(Array("ops@example.com".utf8))])),
                ("timestamp", .atom("nil")),
            ]
            let inner = Term.tuple([.atom("alert_escalated"), .map(fields.map { MapEntry(.atom(Atom($0.0)), $0.1) })])
            let view = try TermView(parsing: TermEncoder().encode(.tuple([.atom("unsecured_message"), inner])))
            guard
                let message = intake.receive(
                    peer: "bench@localhost", bus: "ex_esdb_alerts", topic: "escalations", view: view, message: view.root
                )
            else { throw ErlangTools.Failure(description: "the intake rejected a benchmark escalation") }
            return message.message
        }
    }

    // MARK: - Latency

    /// The p99 latency (seconds) from an escalation's broadcast to its arrival.
    static func latency(
        _ count: Int, erlangSources: URL, spool: String, durably: Bool, label: String
    ) async throws -> Double {
        let cluster = try await ErlangCluster(fixtures: try await ErlangFixtures(sourceDirectory: erlangSources.path))
        let escalator = try await cluster.startNode("wescalate", expression: "webhook_bench:start(<<\"\(secret)\">>)")
        defer { escalator.stopNow() }
        let receiver = try await WebhookReceiver.start()
        let forwarder = try WebhookForwarder(
            configuration: WebhookConfiguration(
                spoolDirectory: spool,
                endpoints: [WebhookEndpointConfiguration(name: "bench", url: receiver.url, format: .json)]),
            logger: quietLogger)
        // As the exporter does, `submit` on the thread that read the message; or, waiting for each
        // sync, `receive(durably: true)` from a task of its own, one message after the other.
        let (waiting, waitingSink) = AsyncStream<ReceivedMessage>.makeStream()
        let (subscription, node) = subscribe(cluster) { received in
            if durably { waitingSink.yield(received) } else { forwarder.submit(received.message, from: received.peer) }
        }
        let tasks = [
            Task { try await forwarder.run() },
            Task { await subscription.run() },
            Task {
                for await received in waiting {
                    await forwarder.receive(received.message, from: received.peer, durably: true)
                }
            },
        ]
        defer { for task in tasks { task.cancel() } }
        while !subscription.subscribedPeers.contains("wescalate@localhost") {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(300))
        let control = node.spawn()
        // Warm-up, then the measured run, one escalation every 2 ms (about 400 a second).
        for (prefix, number) in [("w", 200), ("m", count)] {
            let before = receiver.requests.count
            node.send(
                .tuple([.atom("escalate"), .binary(Array(prefix.utf8)), .integer(number), .integer(2)]),
                toName: "escalator", on: "wescalate@localhost", from: control.pid)
            _ = try await receiver.waitForRequests(before + number, timeout: .seconds(120))
        }
        let latencies = try receiver.requests.suffix(count).map { request -> Double in
            let body = try require(request.json() as? [String: Any], "a json body")
            let escalation = try require(body["escalation"] as? [String: Any], "an escalation")
            let sent = try require(Double(escalation["escalation_reason"] as? String ?? ""), "a send time")
            return request.arrivedAt - sent / 1e6
        }.sorted()
        print(
            "    " + label.padding(toLength: 44, withPad: " ", startingAt: 0)
                + String(
                    format: "p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (target p99 < 10 ms)",
                    percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000,
                    (latencies.last ?? .nan) * 1000))
        await receiver.stop()
        return percentile(latencies, 0.99)
    }

    static func subscribe(
        _ cluster: ErlangCluster, _ consume: @escaping @Sendable (ReceivedMessage) -> Void
    ) -> (ClusterSubscription, LocalNode) {
        let node = LocalNode(name: NodeName(alive: "wbench", host: "localhost"), creation: 11)
        let cookie = Cookie(cluster.cookie)
        let epmdPort = cluster.epmdPort
        let subscription = ClusterSubscription(
            node: node, pubsub: PubSubConfiguration(buses: [BusSubscription(name: "ex_esdb_alerts")]),
            intake: MessageIntake(secret: SecretKeyBase(secret), logger: quietLogger),
            cluster: ClusterSubscription.Configuration(
                seeds: [NodeName(alive: "wescalate", host: "localhost")], discover: false),
            consumer: ClosureConsumer(consume), logger: quietLogger
        ) { peer in
            NodeConnection(
                peer: peer, node: node, cookie: cookie, configuration: DistributionConfiguration(),
                epmd: EPMDClient(group: MultiThreadedEventLoopGroup.singleton, port: epmdPort),
                group: MultiThreadedEventLoopGroup.singleton, logger: quietLogger)
        }
        return (subscription, node)
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        return logger
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// `value`, or a failure naming `what` (the benchmark has no test framework to do this).
private func require<T>(_ value: T?, _ what: String) throws -> T {
    guard let value else { throw ErlangTools.Failure(description: "expected \(what)") }
    return value
}

/// A consumer that calls a closure.
struct ClosureConsumer: MessageConsumer {
    let body: @Sendable (ReceivedMessage) -> Void
    init(_ body: @escaping @Sendable (ReceivedMessage) -> Void) { self.body = body }
    func consume(_ message: borrowing GaterMessage, peer: String, bus: String, topic: String, receivedAt: Double) {
        body(ReceivedMessage(peer: peer, bus: bus, topic: topic, message: copy message, receivedAt: receivedAt))
    }
}
