import BEAMPeers
import ErlangTerm
import GaterMessages
import Synchronization
import Testing

/// The exporter's `ClusterSubscription` against real nodes doing what ExESDB nodes do over time:
/// their own pg members coming and going, nodes joining the cluster late, nodes restarting, and
/// long runs of signed messages.
@Suite(.serialized) struct ClusterBehaviourTests {
    static let buses = ["ex_esdb_metrics", "ex_esdb_health", "ex_esdb_alerts"]

    /// A message to our member that is no `forward_to_local` is counted once, as `malformed` for
    /// its bus, by the intake that counts every other rejection; the messages after it flow.
    @Test func aMessageThatIsNoBroadcastIsCountedAsMalformed() async throws {
        let nodes = try await PublisherNodes()
        try await nodes.start("nb1")
        let follower = Follower(nodes, seeds: ["nb1"])
        try await follower.waitUntilJoined("nb1")
        follower.command(
            .tuple([.atom("not_a_broadcast"), .atom(follower.node.name), .atom("ex_esdb_health")]), on: "nb1")
        follower.publish(1, on: "nb1")
        #expect(try await follower.messages(1).compactMap(sequence) == [1])
        let malformed = try follower.metrics.expectCounter(
            "exesdb_exporter_messages_rejected_total", [("bus", "ex_esdb_health"), ("reason", "malformed")])
        try await eventually("counted as malformed") { malformed.totalValue == 1 }
        #expect(follower.rejectionsCounted == 1)
    }

    /// A real Phoenix node's own PG2 workers are members of every group: its pg sends our scope
    /// non-empty syncs, and `join`/`leave` notices as its members change. None of it may disturb
    /// the subscription.
    @Test func thePeersOwnMembersAndTheirJoinsAndLeavesChangeNothing() async throws {
        let nodes = try await PublisherNodes()
        try await nodes.start("own1", function: "start_with_local_members")
        let follower = Follower(nodes, seeds: ["own1"])
        try await follower.waitUntilJoined("own1")
        follower.publish(1, on: "own1")
        #expect(try await follower.messages(1).compactMap(sequence) == [1])

        // A new local member joins two groups, then leaves them: pg tells our scope both times.
        let groups: [Term] = ["Elixir.ex_esdb_metrics.Adapter", "Elixir.ex_esdb_health.Adapter"].map { .atom(Atom($0)) }
        follower.command(.tuple([.atom("join_local"), .list(groups), .pid(follower.controlPid)]), on: "own1")
        guard case .pid(let local)? = try await follower.reply("joined_local").last else {
            Issue.record("joined_local without the member's pid")
            return
        }
        follower.publish(2, on: "own1")
        #expect(try await follower.messages(1).compactMap(sequence) == [2])
        follower.command(
            .tuple([.atom("leave_local"), .pid(local), .list(groups), .pid(follower.controlPid)]), on: "own1")
        _ = try await follower.reply("left_local")
        follower.publish(3, on: "own1", bus: "ex_esdb_health", topic: "cluster:health")
        let last = try #require(try await follower.messages(1).first)
        #expect(sequence(last) == 3 && last.bus == "ex_esdb_health")

        // Still listed once per group beside the node's own members, still subscribed, nothing rejected.
        let members = try await follower.members(on: "own1")
        for bus in Self.buses {
            let pids = members["Elixir.\(bus).Adapter"] ?? []
            #expect(pids.filter { $0.node == follower.node.name }.count == 1, "\(bus): \(pids)")
            #expect(pids.contains { $0.node.name == "own1@localhost" }, "\(bus): the node's own member is gone")
        }
        #expect(follower.subscription.subscribedPeers == ["own1@localhost"])
        #expect(follower.rejectionsCounted == 0)
        // And our scope still serves: it answers a discover as before.
        follower.command(
            .tuple([.atom("discover_versioned"), .atom(follower.node.name), .integer(1), .pid(follower.controlPid)]),
            on: "own1")
        #expect(try await follower.reply("versioned_sync").count == 3)
    }

    /// A node started after the subscription is found by the periodic refresh (every second
    /// here; `ClusterSubscription.Configuration.refreshInterval`), not by any event of ours.
    @Test func aNodeThatJoinsTheClusterLaterIsFoundByTheRefresh() async throws {
        let nodes = try await PublisherNodes()
        try await nodes.start("late1")
        let follower = Follower(nodes, seeds: ["late1"], refreshInterval: .seconds(1))
        try await follower.waitUntilJoined("late1")
        #expect(follower.subscription.followedPeers == ["late1@localhost"])
        try await nodes.start("late2", seed: "late1")
        try await eventually("following late2") {
            follower.subscription.subscribedPeers == ["late1@localhost", "late2@localhost"]
        }
        try await follower.waitUntilJoined("late2")
        follower.publish(5, on: "late2")
        let message = try #require(try await follower.messages(1).first)
        #expect(message.peer == "late2@localhost" && sequence(message) == 5)
    }

    /// One of three nodes is killed and started again under the same name: the subscription
    /// rejoins it by itself, its pg lists our member once per group, and its messages flow again.
    @Test func aRestartedNodeOfThreeListsUsOnceAndItsMessagesFlowAgain() async throws {
        let nodes = try await PublisherNodes()
        try await nodes.start("rs1")
        try await nodes.start("rs2", seed: "rs1")
        try await nodes.start("rs3", seed: "rs1")
        let follower = Follower(nodes, seeds: ["rs1"])
        for peer in ["rs1", "rs2", "rs3"] { try await follower.waitUntilJoined(peer) }
        await nodes.stop("rs3")
        try await eventually("rs3 seen down") { !follower.subscription.subscribedPeers.contains("rs3@localhost") }
        try await nodes.start("rs3", seed: "rs1")
        try await follower.waitUntilJoined("rs3")
        // Give a late second sync or join the time to land before counting.
        try await Task.sleep(for: .milliseconds(300))
        let counts = try await follower.ownMemberCounts(on: "rs3")
        #expect(counts == Dictionary(uniqueKeysWithValues: Self.buses.map { ("Elixir.\($0).Adapter", 1) }))
        for (index, peer) in ["rs1", "rs2", "rs3"].enumerated() { follower.publish(index + 1, on: peer) }
        let received = try await follower.messages(3)
        #expect(
            Dictionary(uniqueKeysWithValues: received.map { ($0.peer, sequence($0) ?? 0) }) == [
                "rs1@localhost": 1, "rs2@localhost": 2, "rs3@localhost": 3,
            ])
    }

    /// 10^5 signed LatencyMetrics from one node come out of the whole intake (verified, decoded,
    /// counted) in send order, none lost; a lost one fails the test at the deadline, not hangs it.
    @Test func hundredThousandSignedMessagesComeOutOfTheIntakeInOrder() async throws {
        let nodes = try await PublisherNodes()
        try await nodes.start("order1")
        let follower = Follower(nodes, seeds: ["order1"])
        try await follower.waitUntilJoined("order1")
        let count = 100_000
        let reached = Atomic<Int>(0)
        follower.command(
            .tuple([.atom("publish_n"), .atom("ex_esdb_metrics"), .binary("latency"), .integer(count)]), on: "order1")
        let failure: String?
        do {
            failure = try await withTimeout(.seconds(60)) { [collector = follower.collector] () -> String? in
                // 10^5 turns that seldom suspend: on a thread of their own, off the pool the intake
                // under test runs on.
                await onOwnThread {
                    for await message in collector.messages {
                        let expected = reached.load(ordering: .relaxed) + 1
                        guard sequence(message) == expected else {
                            return "\(sequence(message) ?? -1) came for \(expected)"
                        }
                        reached.store(expected, ordering: .relaxed)
                        if expected == count { return nil }
                    }
                    return "the stream ended"
                }
            }
        } catch {
            failure = "\(error)"
        }
        #expect(failure == nil, "after \(reached.load(ordering: .relaxed)) in order")
        let accepted = try follower.metrics.expectCounter(
            "exesdb_exporter_messages_total", [("bus", "ex_esdb_metrics"), ("type", "latency_metric")])
        #expect(accepted.totalValue == Int64(count))
        #expect(follower.rejectionsCounted == 0)
    }
}
