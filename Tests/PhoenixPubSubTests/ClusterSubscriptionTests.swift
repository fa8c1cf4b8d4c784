import BEAMPeers
import ClusterSubscription
import ErlangDistribution
import ErlangTerm
import GaterMessages
import Testing

/// A whole cluster of three real publisher nodes, found from one seed.
@Suite(.serialized) struct ClusterSubscriptionTests {
    static let all: Set<String> = ["pa1@localhost", "pa2@localhost", "pa3@localhost"]

    /// Three publishers joined into one cluster: pa1, then pa2 and pa3 pinging it.
    func startCluster() async throws -> PublisherNodes {
        let nodes = try await PublisherNodes()
        try await nodes.start("pa1")
        for name in ["pa2", "pa3"] { try await nodes.start(name, seed: "pa1") }
        return nodes
    }

    @Test func allThreeNodesAreFoundFromOneSeedAndTheirMessagesArrive() async throws {
        let nodes = try await startCluster()
        let follower = Follower(nodes, seeds: ["pa1"])
        try await eventually("subscribed to all three") { follower.subscription.subscribedPeers == Self.all }
        for peer in ["pa1", "pa2", "pa3"] { try await follower.waitUntilJoined(peer) }
        for (index, peer) in ["pa1", "pa2", "pa3"].enumerated() {
            follower.publish(index + 1, on: peer, bus: "ex_esdb_health", topic: "cluster:health")
        }
        let received = try await follower.messages(3)
        #expect(
            Dictionary(uniqueKeysWithValues: received.map { ($0.peer, sequence($0) ?? 0) }) == [
                "pa1@localhost": 1, "pa2@localhost": 2, "pa3@localhost": 3,
            ])
        #expect(try follower.metrics.expectGauge("exesdb_up").lastValue == 1)
        let peerUp = try follower.metrics.expectGauge("exesdb_exporter_peer_up", [("peer", "pa3@localhost")])
        #expect(peerUp.lastValue == 1)
    }

    /// Every payload of the fixture, on every bus, arrives over the wire typed and equal, field by
    /// field, to what the node sent, on the topic it was sent on.
    @Test func everyPayloadTypeOnEveryBusArrivesTypedAndEqualToWhatWasSent() async throws {
        let nodes = try await PublisherNodes()
        try await nodes.start("pa1")
        let follower = Follower(nodes, seeds: ["pa1"])
        try await follower.waitUntilJoined("pa1")
        let buses = ClusterBehaviourTests.buses
        for bus in buses { follower.command(.tuple([.atom("publish_all"), .atom(Atom(bus))]), on: "pa1") }
        // Every struct of the nine buses' (the bare log_event is no struct, and is not published).
        let kinds = GaterMessageKind.allCases.filter { $0.module != nil }
        let received = try await follower.messages(buses.count * kinds.count)
        var seen: [String: Int] = [:]
        for message in received {
            seen["\(message.bus)/\(message.message.kind.rawValue)", default: 0] += 1
            guard let expected = FixturePayloads.expected[message.message.kind] else {
                Issue.record("no expectation for \(message.message.kind)")
                continue
            }
            #expect(FixturePayloads.normalized(message.message) == expected.message, "on \(message.bus)")
            #expect(message.topic == expected.topic && message.peer == "pa1@localhost", "\(message.message.kind)")
        }
        let everyCombination = Set(buses.flatMap { bus in kinds.map { "\(bus)/\($0.rawValue)" } })
        #expect(Set(seen.keys) == everyCombination)
        #expect(seen.values.allSatisfy { $0 == 1 })
        #expect(follower.rejectionsCounted == 0)
    }

    /// Shards 0/2 and 1/2 split the nodes: each node's pg lists exactly one of the two members
    /// (the owner's), and each node's broadcasts reach exactly that one subscription.
    @Test func twoShardsTogetherSeeEveryNodeExactlyOnce() async throws {
        let nodes = try await startCluster()
        let shards = [Shard(index: 0, count: 2), Shard(index: 1, count: 2)]
        let followers = shards.map { Follower(nodes, seeds: ["pa1"], shard: $0) }
        let owned = shards.map { shard in Self.all.filter { shard.owns($0) } }
        #expect(owned[0].isDisjoint(with: owned[1]) && owned[0].union(owned[1]) == Self.all)
        try await eventually("split between the shards") {
            followers[0].subscription.subscribedPeers == owned[0]
                && followers[1].subscription.subscribedPeers == owned[1]
        }
        // Each node is asked through its owner, which is connected to it (the other shard is only
        // if the node is the seed).
        let peers = Self.all.sorted().map { peer in
            (name: String(peer.prefix { $0 != "@" }), owner: followers[owned[0].contains(peer) ? 0 : 1])
        }
        for (name, owner) in peers { try await owner.waitUntilJoined(name) }
        let ourNodes = Set(followers.map(\.node.name))
        for (name, owner) in peers {
            let members = try await owner.members(on: name)
            for bus in ClusterBehaviourTests.buses {
                let ours = (members["Elixir.\(bus).Adapter"] ?? []).filter { ourNodes.contains($0.node) }
                #expect(ours.map(\.node) == [owner.node.name], "\(name) \(bus): \(ours)")
            }
        }
        // Each node sends its number, then a closing 100 + its number: a subscription has seen all
        // it will of a node once that node's closing message has come (one connection, in order).
        for (index, (name, owner)) in peers.enumerated() {
            owner.publish(index + 1, on: name)
            owner.publish(101 + index, on: name)
        }
        for (follower, peerSet) in zip(followers, owned) {
            let received = try await follower.messages(2 * peerSet.count)
            let expected = Set(
                Self.all.sorted().enumerated().filter { peerSet.contains($0.element) }.flatMap { index, peer in
                    ["\(peer) \(index + 1)", "\(peer) \(101 + index)"]
                })
            #expect(Set(received.map { "\($0.peer) \(sequence($0) ?? 0)" }) == expected)
            #expect(received.count == expected.count)
        }
    }

    /// A node that stops: its `exesdb_exporter_peer_up` falls to 0 at once, it is forgotten once
    /// its backoff gives up, and `exesdb_up` falls to 0 when no node is left.
    @Test func aNodeThatLeavesIsDroppedAfterItsBackoffGivesUp() async throws {
        let nodes = try await startCluster()
        let follower = Follower(nodes, seeds: ["pa1"], giveUpAfter: 3)
        try await eventually("subscribed to all three") { follower.subscription.subscribedPeers == Self.all }
        let peerUp = { (peer: String) in
            try? follower.metrics.expectGauge("exesdb_exporter_peer_up", [("peer", peer)]).lastValue
        }
        #expect(peerUp("pa3@localhost") == 1)
        await nodes.stop("pa3")
        try await eventually("unsubscribed from pa3") {
            !follower.subscription.subscribedPeers.contains("pa3@localhost")
        }
        #expect(peerUp("pa3@localhost") == 0)
        #expect(peerUp("pa1@localhost") == 1 && peerUp("pa2@localhost") == 1)
        #expect(try follower.metrics.expectGauge("exesdb_up").lastValue == 1)
        // Three failed attempts with 100 ms to 500 ms between them, then it is forgotten.
        try await eventually("no longer following pa3") {
            !follower.subscription.followedPeers.contains("pa3@localhost")
        }
        #expect(follower.subscription.followedPeers == ["pa1@localhost", "pa2@localhost"])
        // Its departure is counted and handed on, so that its per-node series are removed.
        #expect(follower.departed.all == ["pa3@localhost"])
        #expect(try follower.metrics.expectCounter("exesdb_exporter_peer_departures_total").totalValue == 1)
        await nodes.stop("pa1")
        await nodes.stop("pa2")
        try await eventually("exesdb_up at 0") { try follower.metrics.expectGauge("exesdb_up").lastValue == 0 }
        #expect(peerUp("pa1@localhost") == 0 && peerUp("pa2@localhost") == 0)
        // The seed is never given up on: its series stays, at 0.
        #expect(!follower.departed.all.contains("pa1@localhost"))
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
