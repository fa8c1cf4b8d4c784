import BEAMPeers
import ErlangDistribution
import ErlangTerm
import Foundation
import GaterMessages
import Logging
import NIOPosix
import PhoenixPubSub
import Testing

/// Our subscriber in the pg overlay of real nodes running OTP's pg and the PG2 broadcast rule.
@Suite(.serialized) struct PubSubTests {
    static let secret = "pubsub-secret"
    static let fixtures = Task<ErlangFixtures, any Error> {
        try await ErlangFixtures(shared: [.pubsubPublisher])
    }

    /// A Swift node subscribed to the buses of `publisher@localhost`, with the glue the exporter
    /// will have: every connection-up event (re)joins the groups.
    final class Subscriber: Sendable {
        let node: LocalNode
        let connection: NodeConnection
        let pubsub: PubSubSubscriber
        let collector = BroadcastCollector()
        let tasks: [Task<Void, Never>]
        let control: Mailbox
        /// Held so the private EPMD lives as long as the subscriber.
        let cluster: ErlangCluster

        init(
            cluster: ErlangCluster, publisher: String, poolSize: Int, buses: [BusSubscription]? = nil,
            scope: Atom = "Elixir.Phoenix.PubSub"
        ) {
            self.cluster = cluster
            node = LocalNode(
                name: NodeName(alive: "swiftsub", host: "localhost"), creation: UInt32.random(in: 1...UInt32.max))
            connection = NodeConnection(
                peer: NodeName(alive: publisher, host: "localhost"), node: node, cookie: Cookie(cluster.cookie),
                configuration: DistributionConfiguration(
                    backoff: Backoff(initial: .milliseconds(100), maximum: .milliseconds(500))),
                epmd: EPMDClient(group: MultiThreadedEventLoopGroup.singleton, port: cluster.epmdPort),
                group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test"))
            pubsub = PubSubSubscriber(
                node: node,
                configuration: PubSubConfiguration(
                    buses: buses ?? PubSubConfiguration().buses, poolSize: poolSize, scope: scope),
                receiver: collector, logger: Logger(label: "test"))
            control = node.spawn()
            let (connection, pubsub) = (self.connection, self.pubsub)
            tasks = [
                Task { await connection.run() },
                Task { await pubsub.run() },
                Task {
                    for await event in connection.events {
                        switch event {
                        case .up(let peer, _): pubsub.peerUp(peer)
                        case .down(let peer, _): pubsub.peerDown(peer)
                        case .attemptFailed: break
                        }
                    }
                },
            ]
        }

        deinit {
            for task in tasks { task.cancel() }
        }

        func command(_ term: Term, on publisher: String) {
            node.send(term, toName: "publisher", on: "\(publisher)@localhost", from: control.pid)
        }

        /// The fixture's `pg:get_members` for every group, by group name.
        func members(on publisher: String) async throws -> [String: [Pid]] {
            guard
                node.send(
                    .tuple([.atom("members"), .pid(control.pid)]), toName: "publisher", on: "\(publisher)@localhost",
                    from: control.pid)
            else { throw ErlangTools.Failure(description: "not connected to \(publisher)") }
            let reply = try await withTimeout(.seconds(10)) { [control] in
                var iterator = control.messages.makeAsyncIterator()
                return await iterator.next()
            }
            guard let reply, case .tuple(let fields) = reply.message.term(), case .list(let groups)? = fields.last
            else { throw ErlangTools.Failure(description: "no members reply") }
            return pidsByGroup(groups)
        }

        /// Waits until the publisher lists our member in `groups` groups.
        /// Up to 30 s: after a restart the connection's backoff (up to 30 s between attempts) and a
        /// loaded machine's slow `erl` start both come before the join.
        func waitUntilJoined(_ publisher: String, groups: Int) async throws {
            for _ in 0..<600 {
                guard let members = try? await members(on: publisher) else {
                    try await Task.sleep(for: .milliseconds(50))
                    continue
                }
                let ours = members.values.filter { $0.contains { $0.node == node.name } }
                if ours.count == groups { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw ErlangTools.Failure(description: "not joined on \(publisher)")
        }
    }

    func nextBroadcasts(_ subscriber: Subscriber, count: Int) async throws -> [Broadcast] {
        try await nextCollected(subscriber, count: count).map(\.broadcast)
    }

    func nextCollected(_ subscriber: Subscriber, count: Int) async throws -> [BroadcastCollector.Collected] {
        try await withTimeout(.seconds(30)) { [collector = subscriber.collector] in
            var iterator = collector.stream.makeAsyncIterator()
            var result: [BroadcastCollector.Collected] = []
            while result.count < count, let broadcast = await iterator.next() { result.append(broadcast) }
            return result
        }
    }

    func sequence(_ broadcast: Broadcast) throws -> Int {
        let verifier = EnvelopeVerifier(secret: SecretKeyBase(Self.secret))
        let (view, message) = try #require(broadcast.decoded(), "the broadcast is a term")
        let inner = try verifier.open(view, message, peer: broadcast.peer).get()
        guard
            case .latency(let metric) = try GaterDecoder().decode(view, inner: inner, sender: broadcast.peer)
                .get()
        else { throw ErlangTools.Failure(description: "not a latency metric") }
        return metric.sampleCount
    }

    func startPublisher(_ cluster: ErlangCluster, _ name: String, poolSize: Int) async throws -> BackgroundProcess {
        try await cluster.startNode(name, expression: "pubsub_publisher:start(\(poolSize), <<\"\(Self.secret)\">>)")
    }

    /// A private cluster with publisher `name`, and our subscriber joined to its groups.
    func subscribed(
        to name: String, poolSize: Int = 1
    ) async throws -> (BackgroundProcess, Subscriber) {
        let cluster = try await ErlangCluster(fixtures: try await Self.fixtures.value)
        let erl = try await startPublisher(cluster, name, poolSize: poolSize)
        let subscriber = Subscriber(cluster: cluster, publisher: name, poolSize: poolSize)
        try await subscriber.waitUntilJoined(name, groups: 3 * poolSize)
        return (erl, subscriber)
    }

    @Test func joinsEveryBusAndReceivesSignedBroadcasts() async throws {
        let (started, subscriber) = try await subscribed(to: "pub1", poolSize: 1)
        let erl = started
        let members = try await subscriber.members(on: "pub1")
        let member = try #require(subscriber.pubsub.memberPid(of: "ex_esdb_metrics"))
        #expect(members["Elixir.ex_esdb_metrics.Adapter"] == [member])
        for (index, bus) in ["ex_esdb_metrics", "ex_esdb_health", "ex_esdb_alerts"].enumerated() {
            subscriber.command(
                .tuple([.atom("publish"), .atom(bus), .binary("topic-\(index)"), .integer(index + 1)]), on: "pub1")
            let broadcast = try #require(try await nextBroadcasts(subscriber, count: 1).first)
            #expect(broadcast.bus == bus && broadcast.topic == "topic-\(index)" && broadcast.peer == "pub1@localhost")
            #expect(try sequence(broadcast) == index + 1)
        }
        await erl.stop()
    }

    @Test func poolOfTwoJoinsBothGroupsAndDirectBroadcastArrives() async throws {
        let (started, subscriber) = try await subscribed(to: "pub2", poolSize: 2)
        let erl = started
        let members = try await subscriber.members(on: "pub2")
        #expect(members["Elixir.ex_esdb_alerts.Adapter_2"]?.count == 1)
        subscriber.command(
            .tuple([.atom("publish_spread"), .atom("ex_esdb_metrics"), .binary("latency"), 200]), on: "pub2")
        let received = try await nextBroadcasts(subscriber, count: 200)
        #expect(Set(try received.map(sequence)) == Set(1...200))
        subscriber.command(
            .tuple([.atom("direct"), .atom(subscriber.node.name), .atom("ex_esdb_health"), .binary("direct"), 7]),
            on: "pub2")
        let direct = try #require(try await nextBroadcasts(subscriber, count: 1).first)
        #expect(direct.bus == "ex_esdb_health" && direct.topic == "direct")
        #expect(try sequence(direct) == 7)
        await erl.stop()
    }

    @Test func topicFiltersDropOtherTopics() async throws {
        let cluster = try await ErlangCluster(fixtures: try await Self.fixtures.value)
        let erl = try await startPublisher(cluster, "pub6", poolSize: 1)
        let subscriber = Subscriber(
            cluster: cluster, publisher: "pub6", poolSize: 1,
            buses: [BusSubscription(name: "ex_esdb_metrics", topics: ["wanted"])])
        try await subscriber.waitUntilJoined("pub6", groups: 1)
        subscriber.command(.tuple([.atom("publish"), .atom("ex_esdb_metrics"), .binary("unwanted"), 1]), on: "pub6")
        subscriber.command(.tuple([.atom("publish"), .atom("ex_esdb_metrics"), .binary("wanted"), 2]), on: "pub6")
        let first = try #require(try await nextBroadcasts(subscriber, count: 1).first)
        #expect(first.topic == "wanted")
        #expect(try sequence(first) == 2)
        await erl.stop()
    }

    @Test func leaveRemovesOurMembers() async throws {
        let (started, subscriber) = try await subscribed(to: "pub3", poolSize: 1)
        let erl = started
        subscriber.pubsub.leaveAll()
        try await subscriber.waitUntilJoined("pub3", groups: 0)
        await erl.stop()
    }

    /// A node is in EPMD, and connected to, before its application starts the pg scope: the
    /// first discover is lost, and pg never discovers a hidden node itself. We ask again.
    @Test func joinsAScopeThatStartsAfterTheConnection() async throws {
        let cluster = try await ErlangCluster(fixtures: try await Self.fixtures.value)
        let erl = try await cluster.startNode(
            "late1",
            expression:
                "io:format(\"ready (scope in 2 s)~n\"), timer:sleep(2000), pubsub_publisher:start(1, <<\"\(Self.secret)\">>)"
        )
        let subscriber = Subscriber(cluster: cluster, publisher: "late1", poolSize: 1)
        // Connected before the scope exists; asking for members before the fixture registers would
        // only time out, so wait for it, then for our members.
        try await erl.waitForLine(containing: "ready late1@localhost")
        try await subscriber.waitUntilJoined("late1", groups: 3)
        subscriber.command(.tuple([.atom("publish"), .atom("ex_esdb_health"), .binary("late"), 7]), on: "late1")
        let broadcast = try #require(try await nextBroadcasts(subscriber, count: 1).first)
        #expect(try sequence(broadcast) == 7)
        await erl.stop()
    }

    @Test func restartedPublisherListsUsOnceAndMessagesFlowAgain() async throws {
        let (started, subscriber) = try await subscribed(to: "pub4", poolSize: 1)
        var erl = started
        await erl.stop()
        erl = try await startPublisher(subscriber.cluster, "pub4", poolSize: 1)
        try await subscriber.waitUntilJoined("pub4", groups: 3)
        let members = try await subscriber.members(on: "pub4")
        for (group, pids) in members where group.hasPrefix("Elixir.ex_esdb_") {
            #expect(pids.filter { $0.node == subscriber.node.name }.count == 1, "\(group): \(pids)")
        }
        subscriber.command(.tuple([.atom("publish"), .atom("ex_esdb_alerts"), .binary("critical"), 42]), on: "pub4")
        let broadcast = try #require(try await nextBroadcasts(subscriber, count: 1).first)
        #expect(try sequence(broadcast) == 42)
        await erl.stop()
    }

    @Test func hundredThousandBroadcastsArriveInOrder() async throws {
        let (started, subscriber) = try await subscribed(to: "pub5", poolSize: 1)
        let erl = started
        let count = 100_000
        subscriber.command(
            .tuple([.atom("publish_n"), .atom("ex_esdb_metrics"), .binary("latency"), .integer(count)]), on: "pub5")
        // Verifying and decoding 10^5 broadcasts is seconds of work that seldom suspends: on a
        // thread of its own, so that it holds none of the cooperative pool's.
        let expected = try await onOwnThread {
            var expected = 1
            for await collected in subscriber.collector.stream {
                guard try sequence(collected.broadcast) == expected else {
                    Issue.record("broadcast \(expected) arrived out of order")
                    break
                }
                expected += 1
                if expected > count { break }
            }
            return expected
        }
        #expect(expected == count + 1)
        await erl.stop()
    }
}
