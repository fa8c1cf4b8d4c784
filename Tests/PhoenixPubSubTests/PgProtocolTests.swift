import BEAMPeers
import ErlangTerm
import GaterMessages
import Testing

/// The parts of the pg protocol and of Phoenix.PubSub's addressing that a real node uses but the
/// fixture's own pg (OTP 25) never sends by itself.
@Suite(.serialized) struct PgProtocolTests {
    /// pg from OTP 26 on accepts `{discover, Peer, ProtocolVersion}` and a later release sends it
    /// (OTP's pg.erl: "accepted first in OTP 26, to be used by OTP 28 or later"), with any term as
    /// the version. Our scope answers it as pg answers `{discover, Peer}`: with the sync cast
    /// listing our members, the same ones the node already lists for us.
    @Test func aVersionedDiscoverIsAnsweredWithOurMembers() async throws {
        let nodes = try await PublisherNodes()
        try await nodes.start("disc1")
        let follower = Follower(nodes, seeds: ["disc1"])
        try await follower.waitUntilJoined("disc1")
        let listed = try await follower.members(on: "disc1").compactMapValues { pids in
            let ours = pids.filter { $0.node == follower.node.name }
            return ours.isEmpty ? nil : ours
        }
        #expect(listed.count == 3)
        // Each discover comes from a new process, as from a scope that restarted.
        for version in [Term.integer(1), .tuple([.integer(2), .binary("future")])] {
            follower.command(
                .tuple([
                    .atom("discover_versioned"), .atom(follower.node.name), version, .pid(follower.controlPid),
                ]), on: "disc1")
            let reply = try await follower.reply("versioned_sync")
            guard reply.count == 3, case .pid(let scope) = reply[1], case .list(let groups) = reply[2] else {
                Issue.record("no sync cast answered the discover with version \(version): \(reply)")
                continue
            }
            #expect(scope.node == follower.node.name)
            #expect(pidsByGroup(groups) == listed, "version \(version)")
        }
        // The subscription is as it was.
        follower.publish(9, on: "disc1")
        #expect(try await follower.messages(1).compactMap(sequence) == [9])
    }

    /// With a pool of N, Phoenix.PubSub 2.1's direct_broadcast sends to one of the N group names
    /// (chosen by phash2) on the receiving node: each name of each bus reaches that bus's member.
    @Test func directBroadcastToEveryPoolGroupNameArrives() async throws {
        let nodes = try await PublisherNodes()
        try await nodes.start("pool1", poolSize: 2)
        let follower = Follower(nodes, seeds: ["pool1"], poolSize: 2)
        try await follower.waitUntilJoined("pool1", groups: 6)
        var sent: [Int: String] = [:]
        for (busIndex, bus) in ClusterBehaviourTests.buses.enumerated() {
            for group in 0..<2 {
                let sequence = 10 * (busIndex + 1) + group
                sent[sequence] = bus
                follower.command(
                    .tuple([
                        .atom("direct_group"), .atom(follower.node.name), .atom(Atom(bus)), .integer(group),
                        .binary("direct"), .integer(sequence),
                    ]), on: "pool1")
            }
        }
        let received = try await follower.messages(sent.count)
        #expect(
            Dictionary(uniqueKeysWithValues: received.map { (sequence($0) ?? 0, $0.bus) }) == sent,
            "\(received.map { "\($0.bus) \(sequence($0) ?? 0)" })")
        #expect(received.allSatisfy { $0.topic == "direct" && $0.peer == "pool1@localhost" })
    }
}
