import BEAMPeers
import ErlangDistribution
import ErlangTerm
import Foundation
import PhoenixPubSub
import Testing

extension PubSubTests {
    /// A node's pg scope killed and started again while the node stays connected (a supervisor
    /// restart): the new scope knows nothing of us and, since we are hidden, never discovers us.
    /// Our scope monitors theirs, so it asks the successor and joins it again.
    @Test func aRestartedScopeIsJoinedAgainWhileTheNodeStaysConnected() async throws {
        let (erl, subscriber) = try await subscribed(to: "scoped1")
        defer { erl.stopNow() }
        subscriber.command(.atom("restart_scope"), on: "scoped1")
        try await erl.waitForLine(containing: "scope restarted")
        try await subscriber.waitUntilJoined("scoped1", groups: 3)
        let ours = try await subscriber.members(on: "scoped1").values.flatMap { $0 }.filter {
            $0.node == subscriber.node.name
        }
        #expect(ours.count == 3, "our members, once per group: \(ours)")
        subscriber.command(
            .tuple([.atom("publish"), .atom("ex_esdb_metrics"), .binary("latency"), 7]), on: "scoped1")
        let broadcast = try #require(try await nextBroadcasts(subscriber, count: 1).first)
        #expect(try sequence(broadcast) == 7)
    }

    /// Another pg scope name (`--pubsub.scope`) is discovered and joined under that name; a message
    /// to our member that is no `forward_to_local` is handed on unread, for the intake to count.
    @Test func anotherScopeNameIsJoinedAndNonBroadcastsAreHandedOnUnread() async throws {
        let cluster = try await ErlangCluster(fixtures: try await Self.fixtures.value)
        let scope = "Elixir.MyApp.PubSubScope"
        let erl = try await cluster.startNode("scoped2", expression: Self.customScopeNode(scope))
        defer { erl.stopNow() }
        let subscriber = Subscriber(cluster: cluster, publisher: "scoped2", poolSize: 1, scope: Atom(scope))
        try await subscriber.waitUntilJoined("scoped2", groups: 3)

        subscriber.command(.tuple([.atom("bad"), .atom(subscriber.node.name.name)]), on: "scoped2")
        subscriber.command(.atom("publish"), on: "scoped2")
        let received = try await nextCollected(subscriber, count: 2)
        guard received.count == 2, case .unreadable = received[0].form else {
            Issue.record("the message that is no broadcast comes first, unread: \(received.map(\.form))")
            return
        }
        #expect(received[0].broadcast.bus == "ex_esdb_metrics" && received[0].broadcast.decoded() == nil)
        let broadcast = received[1].broadcast
        #expect(broadcast.topic == "latency" && broadcast.bus == "ex_esdb_metrics")
        // As the BEAM writes it, a broadcast is handed on in the read buffer's bytes, read up to its message.
        guard case .wire = received[1].form else {
            Issue.record("a forward_to_local with a binary topic is handed on as bytes")
            return
        }
        #expect(
            broadcast.decoded().map { $0.view.term($0.message) } == .tuple([.atom("unsecured_message"), .atom("x")]))

        // Spelled otherwise (an atom topic), it is decoded whole and handed on just the same.
        subscriber.command(.atom("publish_atom_topic"), on: "scoped2")
        let collected = try #require(try await nextCollected(subscriber, count: 1).first)
        let decoded = collected.broadcast
        #expect(decoded.topic == "latency")
        guard case .decoded = collected.form, case .decoded(let view, let message) = decoded.payload else {
            Issue.record("an atom topic is read through a decoded term")
            return
        }
        #expect(view.term(message) == .tuple([.atom("unsecured_message"), .atom("y")]))
    }

    /// A node whose pg scope has another name: answers `members` like the fixture, broadcasts an
    /// unsigned message to the metrics bus's group on `publish`, and sends a tuple that is no
    /// `forward_to_local` to our member's registered name on `{bad, Node}`.
    static func customScopeNode(_ scope: String) -> String {
        """
        S = '\(scope)', {ok, _} = pg:start_link(S), register(publisher, self()), io:format("ready~n"),
        Loop = fun L() ->
            receive
                {members, From} -> From ! {members, [{G, pg:get_members(S, G)} || G <- pg:which_groups(S)]};
                publish -> [P ! {forward_to_local, <<"latency">>, {unsecured_message, x}, S}
                            || P <- pg:get_members(S, 'Elixir.ex_esdb_metrics.Adapter')];
                publish_atom_topic -> [P ! {forward_to_local, latency, {unsecured_message, y}, S}
                                       || P <- pg:get_members(S, 'Elixir.ex_esdb_metrics.Adapter')];
                {bad, Node} -> erlang:send({'Elixir.ex_esdb_metrics.Adapter', Node}, {not_a_broadcast, 1})
            end,
            L()
        end,
        Loop().
        """
    }
}
