import BEAMPeers
import ClusterSubscription
import ErlangDistribution
import ErlangTerm
import GaterMessages
import Logging
import MetricsTestKit
import NIOPosix
import PhoenixPubSub
import Testing

/// A whole cluster of three real publisher nodes, found from one seed.
@Suite(.serialized) struct ClusterSubscriptionTests {
    /// Three publishers joined into one cluster: pa1, then pa2 and pa3 pinging it.
    func startCluster() async throws -> (ErlangCluster, [BackgroundProcess]) {
        let cluster = try await ErlangCluster(fixtures: try PubSubTests.fixtures.get())
        let secret = "<<\"\(PubSubTests.secret)\">>"
        var nodes = [try await cluster.startNode("pa1", expression: "pubsub_publisher:start(1, \(secret))")]
        for name in ["pa2", "pa3"] {
            nodes.append(
                try await cluster.startNode(name, expression: "pubsub_publisher:start(1, \(secret), 'pa1@localhost')"))
        }
        return (cluster, nodes)
    }

    func subscribe(
        _ cluster: ErlangCluster, shard: Shard, metrics: TestMetrics = TestMetrics(), giveUpAfter: Int = 8
    ) -> (ClusterSubscription, LocalNode, Task<Void, Never>) {
        let node = LocalNode(
            name: NodeName(alive: "sub\(shard.index)_\(UInt16.random(in: 0...UInt16.max))", host: "localhost"),
            creation: UInt32.random(in: 1...UInt32.max))
        let cookie = Cookie(cluster.cookie)
        let epmdPort = cluster.epmdPort
        let subscription = ClusterSubscription(
            node: node, pubsub: PubSubConfiguration(),
            intake: MessageIntake(
                secret: SecretKeyBase(PubSubTests.secret), logger: Logger(label: "test"), metrics: metrics),
            cluster: ClusterConfiguration(
                seeds: [NodeName(alive: "pa1", host: "localhost")], refreshInterval: .seconds(1), shard: shard,
                giveUpAfter: giveUpAfter),
            logger: Logger(label: "test"), metrics: metrics
        ) { peer in
            NodeConnection(
                peer: peer, node: node, cookie: cookie,
                configuration: DistributionConfiguration(
                    backoff: Backoff(initial: .milliseconds(100), maximum: .milliseconds(500))),
                epmd: EPMDClient(group: MultiThreadedEventLoopGroup.singleton, port: epmdPort),
                group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test"))
        }
        return (subscription, node, Task { await subscription.run() })
    }

    func waitFor(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<300 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ErlangTools.Failure(description: "not \(what) within 15 s")
    }

    @Test func allThreeNodesAreFoundFromOneSeedAndTheirMessagesArrive() async throws {
        let (cluster, nodes) = try await startCluster()
        let metrics = TestMetrics()
        let (subscription, node, task) = subscribe(cluster, shard: .all, metrics: metrics)
        defer { task.cancel() }
        let all: Set<String> = ["pa1@localhost", "pa2@localhost", "pa3@localhost"]
        try await waitFor("subscribed to all three") { subscription.subscribedPeers == all }
        // pg on each node lists our members once subscribed; give the syncs a moment to land.
        try await Task.sleep(for: .milliseconds(300))
        let control = node.spawn()
        for (index, peer) in all.sorted().enumerated() {
            node.send(
                .tuple([.atom("publish"), .atom("ex_esdb_health"), .binary("cluster:health"), .integer(index + 1)]),
                toName: "publisher", on: peer, from: control.pid)
        }
        let received = try await withTimeout(.seconds(15)) {
            var iterator = subscription.messages.makeAsyncIterator()
            var peers: [String: Int] = [:]
            while peers.count < 3, let message = await iterator.next() {
                if case .latency(let metric) = message.message { peers[message.peer] = metric.sampleCount }
            }
            return peers
        }
        #expect(received == ["pa1@localhost": 1, "pa2@localhost": 2, "pa3@localhost": 3])
        let up = try metrics.expectGauge("exesdb_up")
        #expect(up.lastValue == 1)
        let peerUp = try metrics.expectGauge("exesdb_exporter_peer_up", [("peer", "pa3@localhost")])
        #expect(peerUp.lastValue == 1)
        for process in nodes { process.stop() }
    }

    @Test func everyPayloadTypeOnEveryBusArrivesTyped() async throws {
        let (cluster, nodes) = try await startCluster()
        let (subscription, node, task) = subscribe(cluster, shard: .all)
        defer { task.cancel() }
        try await waitFor("subscribed to pa1") { subscription.subscribedPeers.contains("pa1@localhost") }
        try await Task.sleep(for: .milliseconds(300))
        let control = node.spawn()
        let buses = ["ex_esdb_metrics", "ex_esdb_health", "ex_esdb_alerts"]
        for bus in buses {
            node.send(
                .tuple([.atom("publish_all"), .atom(bus)]), toName: "publisher", on: "pa1@localhost", from: control.pid)
        }
        let expected = buses.count * GaterMessageKind.allCases.count
        let received = try await withTimeout(.seconds(15)) {
            var iterator = subscription.messages.makeAsyncIterator()
            var seen: [String: Int] = [:]
            while seen.values.reduce(0, +) < expected, let message = await iterator.next() {
                seen["\(message.bus)/\(message.message.kind.rawValue)", default: 0] += 1
            }
            return seen
        }
        let everyCombination = Set(buses.flatMap { bus in GaterMessageKind.allCases.map { "\(bus)/\($0.rawValue)" } })
        #expect(Set(received.keys) == everyCombination)
        #expect(received.values.allSatisfy { $0 == 1 })
        for process in nodes { process.stop() }
    }

    @Test func twoShardsTogetherSeeEveryNodeExactlyOnce() async throws {
        let (cluster, nodes) = try await startCluster()
        let (first, _, firstTask) = subscribe(cluster, shard: Shard(index: 0, count: 2))
        let (second, _, secondTask) = subscribe(cluster, shard: Shard(index: 1, count: 2))
        defer {
            firstTask.cancel()
            secondTask.cancel()
        }
        let all: Set<String> = ["pa1@localhost", "pa2@localhost", "pa3@localhost"]
        let expectedFirst = all.filter { Shard(index: 0, count: 2).owns($0) }
        try await waitFor("split between the shards") {
            first.subscribedPeers == expectedFirst && second.subscribedPeers == all.subtracting(expectedFirst)
        }
        #expect(first.subscribedPeers.isDisjoint(with: second.subscribedPeers))
        #expect(first.subscribedPeers.union(second.subscribedPeers) == all)
        for process in nodes { process.stop() }
    }

    @Test func aNodeThatLeavesIsDroppedAfterItsBackoffGivesUp() async throws {
        let (cluster, nodes) = try await startCluster()
        let (subscription, _, task) = subscribe(cluster, shard: .all, giveUpAfter: 3)
        defer { task.cancel() }
        let all: Set<String> = ["pa1@localhost", "pa2@localhost", "pa3@localhost"]
        try await waitFor("subscribed to all three") { subscription.subscribedPeers == all }
        nodes[2].stop()
        try await waitFor("unsubscribed from pa3") { !subscription.subscribedPeers.contains("pa3@localhost") }
        // Three failed attempts with 100 ms to 500 ms between them, then it is forgotten.
        try await waitFor("no longer following pa3") { !subscription.followedPeers.contains("pa3@localhost") }
        #expect(subscription.followedPeers == ["pa1@localhost", "pa2@localhost"])
        for process in nodes { process.stop() }
    }

    @Test func shardsParseAndSplitEvenly() throws {
        #expect(try Shard(parsing: "1/3") == Shard(index: 1, count: 3))
        #expect(throws: Shard.ParseError.invalid("3/3")) { try Shard(parsing: "3/3") }
        #expect(throws: Shard.ParseError.invalid("x")) { try Shard(parsing: "x") }
        let names = (0..<1000).map { "ex_esdb_\($0)@host-\($0 % 7)" }
        let counts = (0..<4).map { index in names.filter { Shard(index: index, count: 4).owns($0) }.count }
        #expect(counts.reduce(0, +) == 1000)
        #expect(counts.allSatisfy { (180...320).contains($0) }, "\(counts)")
    }
}
