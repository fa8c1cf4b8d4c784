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

    static func run(deliveries: Int, escalations: Int, erlangSources: URL) async throws {
        print("\nWebhooks: json format, one endpoint on loopback, HTTP/1.1 keep-alive, spool on")
        let disk = FileManager.default.temporaryDirectory.appendingPathComponent("exesdb-wh-bench-\(UUID())").path
        try await throughput(deliveries, spool: disk + "/throughput")
        print("  broadcast on a BEAM node -> arrival at the receiver, \(escalations) escalations, one every 2 ms:")
        for durably in [true, false] {
            try await latency(
                escalations, erlangSources: erlangSources, spool: disk + "/latency-\(durably)", durably: durably,
                label: "spool on disk, ingest \(durably ? "waits for each sync" : "does not wait")")
        }
        if FileManager.default.fileExists(atPath: "/dev/shm") {
            try await latency(
                escalations, erlangSources: erlangSources, spool: "/dev/shm/exesdb-wh-bench-\(UUID())", durably: true,
                label: "spool on tmpfs (no disk), ingest waits")
        }
    }

    // MARK: - Throughput

    static func throughput(_ count: Int, spool: String) async throws {
        let receiver = try await WebhookReceiver.start()
        var endpoint = WebhookEndpointConfiguration(name: "bench", url: receiver.url + "/hook", format: .json)
        endpoint.maxInFlight = 32
        let forwarder = try WebhookForwarder(
            configuration: WebhookConfiguration(spoolDirectory: spool, endpoints: [endpoint], dedupWindow: .zero),
            logger: quietLogger)
        let task = Task { try await forwarder.run() }
        defer { task.cancel() }
        let messages = try escalations(count + 500, prefix: "t")
        for message in messages.prefix(500) { await forwarder.receive(message, from: "bench@localhost") }
        _ = try await receiver.waitForRequests(500, timeout: .seconds(60))

        let start = ContinuousClock.now
        let feeders = 16
        await withTaskGroup(of: Void.self) { group in
            for feeder in 0..<feeders {
                group.addTask {
                    for index in stride(from: 500 + feeder, to: messages.count, by: feeders) {
                        await forwarder.receive(messages[index], from: "bench@localhost")
                    }
                }
            }
        }
        let accepted = seconds(ContinuousClock.now - start)
        _ = try await receiver.waitForRequests(count + 500, timeout: .seconds(300))
        let delivered = seconds(ContinuousClock.now - start)
        print(
            String(
                format: "  %d escalations from %d concurrent feeders: accepted (spooled) in %.2f s, %.0f/s",
                count, feeders, accepted, Double(count) / accepted))
        print(
            String(
                format: "  delivered in %.2f s: %.0f deliveries/s over %d connections (target >= 2000/s)", delivered,
                Double(count) / delivered, receiver.connections))
        await receiver.stop()
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

    static func latency(_ count: Int, erlangSources: URL, spool: String, durably: Bool, label: String) async throws {
        let cluster = try await ErlangCluster(fixtures: try ErlangFixtures(sourceDirectory: erlangSources.path))
        let escalator = try await cluster.startNode("wescalate", expression: "webhook_bench:start(<<\"\(secret)\">>)")
        defer { escalator.stop() }
        let receiver = try await WebhookReceiver.start()
        let forwarder = try WebhookForwarder(
            configuration: WebhookConfiguration(
                spoolDirectory: spool,
                endpoints: [WebhookEndpointConfiguration(name: "bench", url: receiver.url, format: .json)]),
            logger: quietLogger)
        let (subscription, node) = subscribe(cluster)
        let tasks = [
            Task { try await forwarder.run() },
            Task { await subscription.run() },
            Task {
                for await received in subscription.messages {
                    await forwarder.receive(received.message, from: received.peer, durably: durably)
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
    }

    static func subscribe(_ cluster: ErlangCluster) -> (ClusterSubscription, LocalNode) {
        let node = LocalNode(name: NodeName(alive: "wbench", host: "localhost"), creation: 11)
        let cookie = Cookie(cluster.cookie)
        let epmdPort = cluster.epmdPort
        let subscription = ClusterSubscription(
            node: node, pubsub: PubSubConfiguration(buses: [BusSubscription(name: "ex_esdb_alerts")]),
            intake: MessageIntake(secret: SecretKeyBase(secret), logger: quietLogger),
            cluster: ClusterConfiguration(seeds: [NodeName(alive: "wescalate", host: "localhost")], discover: false),
            logger: quietLogger
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
