import BEAMPeers
import ClusterSubscription
import ErlangDistribution
import ErlangTerm
import GaterMessages
import Logging
import MetricsTestKit
import NIOPosix
import PhoenixPubSub
import Synchronization

/// Publisher nodes (`pubsub_publisher`) of one private cluster, started and stopped by name.
final class PublisherNodes: Sendable {
    let cluster: ErlangCluster
    private let running = Mutex<[String: BackgroundProcess]>([:])

    init() async throws {
        cluster = try await ErlangCluster(fixtures: try await PubSubTests.fixtures.value)
    }

    /// Starts `name@localhost` running `pubsub_publisher:function(PoolSize, Secret[, Seed])`,
    /// joined to the cluster of `seed` when given.
    func start(_ name: String, seed: String? = nil, function: String = "start", poolSize: Int = 1) async throws {
        let seedArgument = seed.map { ", '\($0)@localhost'" } ?? ""
        let process = try await cluster.startNode(
            name,
            expression: "pubsub_publisher:\(function)(\(poolSize), <<\"\(PubSubTests.secret)\">>\(seedArgument))")
        running.withLock { $0[name] = process }
    }

    /// Kills the node (no clean shutdown: its connections just drop) and waits for its end.
    func stop(_ name: String) async {
        await running.withLock { $0.removeValue(forKey: name) }?.stop()
    }

    /// Every node is killed when the harness is released, even when a test fails half-way.
    deinit {
        for process in running.withLock({ Array($0.values) }) { process.stopNow() }
    }
}

/// The exporter's side of the tests: a `ClusterSubscription` on its own hidden node, with the
/// intake verifying signatures, the test's metrics, and a process to command the publishers from.
final class Follower: Sendable {
    let subscription: ClusterSubscription
    /// The accepted messages, in a stream.
    let collector = MessageCollector()
    /// The nodes the subscription said it gave up on, in order.
    let departed = Departures()
    let node: LocalNode
    let metrics: TestMetrics
    private let control: Mailbox
    /// The replies to `control` not taken yet. A pump task fills it: cancelling a wait on the
    /// mailbox's stream itself would end the stream for good.
    private let inbox: Inbox
    private let tasks: [Task<Void, Never>]

    init(
        _ nodes: PublisherNodes, seeds: [String], shard: Shard = .all, secret: String? = PubSubTests.secret,
        poolSize: Int = 1, giveUpAfter: Int = 8, refreshInterval: Duration = .seconds(1)
    ) {
        let node = LocalNode(
            name: NodeName(alive: "follower\(shard.index)_\(UInt16.random(in: 0...UInt16.max))", host: "localhost"),
            creation: UInt32.random(in: 1...UInt32.max))
        let metrics = TestMetrics()
        let collector = collector
        let departed = departed
        let (cookie, epmdPort) = (Cookie(nodes.cluster.cookie), nodes.cluster.epmdPort)
        let subscription = ClusterSubscription(
            node: node, pubsub: PubSubConfiguration(poolSize: poolSize),
            intake: MessageIntake(
                secret: secret.map(SecretKeyBase.init), logger: Logger(label: "test"), metrics: metrics),
            cluster: ClusterSubscription.Configuration(
                seeds: seeds.map { NodeName(alive: $0, host: "localhost") }, refreshInterval: refreshInterval,
                shard: shard, giveUpAfter: giveUpAfter),
            consumer: collector, logger: Logger(label: "test"), metrics: metrics,
            departed: { name in departed.names.withLock { $0.append(name) } }
        ) { peer in
            NodeConnection(
                peer: peer, node: node, cookie: cookie,
                configuration: DistributionConfiguration(
                    backoff: Backoff(initial: .milliseconds(100), maximum: .milliseconds(500))),
                epmd: EPMDClient(group: MultiThreadedEventLoopGroup.singleton, port: epmdPort),
                group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test"))
        }
        self.subscription = subscription
        self.node = node
        self.metrics = metrics
        let control = node.spawn()
        self.control = control
        let inbox = Inbox()
        self.inbox = inbox
        tasks = [
            Task { await subscription.run() },
            Task {
                for await delivery in control.messages {
                    if case .tuple(let fields) = delivery.message.term() {
                        inbox.replies.withLock { $0.append(fields) }
                    }
                }
            },
        ]
    }

    deinit {
        for task in tasks { task.cancel() }
    }

    /// Sends `term` to the `publisher` process on `peer@localhost`; false when not connected.
    @discardableResult
    func command(_ term: Term, on peer: String) -> Bool {
        node.send(term, toName: "publisher", on: "\(peer)@localhost", from: control.pid)
    }

    /// Our control process, for commands that name where to reply.
    var controlPid: Pid { control.pid }

    /// `{publish, Bus, Topic, Seq}`: one signed LatencyMetric whose sample_count is `sequence`.
    func publish(_ sequence: Int, on peer: String, bus: String = "ex_esdb_metrics", topic: String = "latency") {
        command(.tuple([.atom("publish"), .atom(Atom(bus)), .binary(topic), .integer(sequence)]), on: peer)
    }

    /// The next reply to our control process whose first element is the atom `tag`.
    func reply(_ tag: Atom, within timeout: Duration = .seconds(10)) async throws -> [Term] {
        let taken = try await poll(timeout: timeout) {
            inbox.replies.withLock { inbox -> [Term]? in
                guard let index = inbox.firstIndex(where: { $0.first == .atom(tag) }) else { return nil }
                return inbox.remove(at: index)
            }
        }
        if let taken { return taken }
        throw ErlangTools.Failure(description: "no \(tag) reply within \(timeout)")
    }

    /// `pg:get_members` on `peer` for every group it knows, by group name.
    func members(on peer: String) async throws -> [String: [Pid]] {
        // A reply that came after its wait gave up would be taken for this one.
        inbox.replies.withLock { $0.removeAll { $0.first == .atom("members") } }
        guard command(.tuple([.atom("members"), .pid(control.pid)]), on: peer) else {
            throw ErlangTools.Failure(description: "not connected to \(peer)")
        }
        guard case .list(let groups)? = try await reply("members").last else {
            throw ErlangTools.Failure(description: "a members reply without its list")
        }
        return pidsByGroup(groups)
    }

    /// How many times `peer`'s pg lists this follower's members in each of the ExESDB groups.
    func ownMemberCounts(on peer: String) async throws -> [String: Int] {
        try await members(on: peer).filter { $0.key.hasPrefix("Elixir.ex_esdb_") }.mapValues { pids in
            pids.filter { $0.node == node.name }.count
        }.filter { $0.value > 0 }
    }

    /// Waits until `peer`'s pg lists our members in all `groups` ExESDB groups (the default
    /// three buses with a pool of one).
    func waitUntilJoined(_ peer: String, groups: Int = 3) async throws {
        try await eventually("\(peer) lists our members in \(groups) groups", every: .milliseconds(50)) {
            (try? await ownMemberCounts(on: peer).count) == groups
        }
    }

    /// The next `count` messages for which `wanted` holds (others are dropped), within `timeout`.
    func messages(
        _ count: Int, within timeout: Duration = .seconds(20),
        where wanted: @escaping @Sendable (ReceivedMessage) -> Bool = { _ in true }
    ) async throws -> [ReceivedMessage] {
        try await withTimeout(timeout) { [collector] in
            var result: [ReceivedMessage] = []
            for await message in collector.messages where wanted(message) {
                result.append(message)
                if result.count == count { break }
            }
            return result
        }
    }

    /// Every counter of a rejection (of a message or a control message), summed.
    var rejectionsCounted: Int64 {
        metrics.counters.filter { $0.label.contains("rejected") }.map(\.totalValue).reduce(0, +)
    }
}

/// Tuples sent to a follower's control process.
final class Inbox: Sendable {
    let replies = Mutex<[[Term]]>([])
}

/// The LatencyMetric's sample_count the fixture sets to the publish sequence number, else nil.
func sequence(_ message: ReceivedMessage) -> Int? {
    guard case .latency(let metric) = message.message else { return nil }
    return metric.sampleCount
}

/// `[{Group, [Pid]}]`, as pg's sync casts and the fixture's `members` reply list them, by group name.
func pidsByGroup(_ groups: [Term]) -> [String: [Pid]] {
    var result: [String: [Pid]] = [:]
    for case .tuple(let pair) in groups {
        guard pair.count == 2, case .atom(let group) = pair[0], case .list(let pids) = pair[1] else { continue }
        result[group.name] = pids.compactMap {
            if case .pid(let pid) = $0 { return pid } else { return nil }
        }
    }
    return result
}

/// The names a subscription gave up on.
final class Departures: Sendable {
    let names = Mutex<[String]>([])
    var all: [String] { names.withLock { $0 } }
}
