import BEAMPeers
import ErlangDistribution
import ErlangTerm
import Logging
import NIOPosix
import Testing

/// With the listener on, real nodes find this node in EPMD and connect to it by name.
@Suite(.serialized) struct ListenerTests {
    func startListener(_ harness: Harness, alive: String) async throws -> DistributionListener {
        try await DistributionListener.start(
            name: NodeName(alive: alive, host: "localhost"), cookie: Cookie(harness.cluster.cookie), host: "127.0.0.1",
            configuration: .forTests, epmd: harness.epmd, group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "test"), metrics: harness.metrics)
    }

    @Test func realNodeConnectsByNameAndSendsToARegisteredName() async throws {
        let harness = try await Harness()
        let listener = try await startListener(harness, alive: "swiftlisten")
        #expect(listener.node.creation != 0)
        let mailbox = listener.node.spawn(registeredName: "swiftreg")
        #expect(mailbox.pid.creation == listener.node.creation)
        let erl = try await harness.cluster.startNode("greeter", expression: "dist_echo:greet('swiftlisten@localhost')")
        let hello = try await mailbox.messages.next()
        guard case .tuple(let fields) = hello.message.term(), fields.count == 2, fields[0] == .atom("hello"),
            case .pid(let greeter) = fields[1]
        else {
            Issue.record("unexpected greeting \(hello.message.term())")
            return
        }
        #expect(greeter.node == "greeter@localhost")
        #expect(listener.node.send(.tuple([.atom("welcome"), 42]), to: greeter, from: mailbox.pid))
        try await erl.waitForLine(containing: "welcomed 42")
        var events = listener.events.makeAsyncIterator()
        guard case .up(let peer, let result)? = await events.next() else {
            Issue.record("no up event")
            return
        }
        #expect(peer == "greeter@localhost")
        #expect(result.peerFlags.contains(.published))
        await erl.stop()
        guard case .down(let downPeer, _)? = await events.next() else {
            Issue.record("no down event")
            return
        }
        #expect(downPeer == "greeter@localhost")
        await listener.close()
    }

    @Test func nameAlreadyRegisteredIsReported() async throws {
        let harness = try await Harness()
        let erl = try await harness.startEchoNode("taken")
        await #expect(throws: DistributionError.nameInUse(name: "taken", host: "localhost")) {
            _ = try await startListener(harness, alive: "taken")
        }
        #expect(
            DistributionError.nameInUse(name: "taken", host: "localhost").description.contains(
                "choose another \(DistributionSetting.localName)"))
        await erl.stop()
    }

    @Test func incomingNodeWithTheWrongCookieIsRefused() async throws {
        let harness = try await Harness()
        let listener = try await startListener(harness, alive: "swiftguard")
        let mailbox = listener.node.spawn(registeredName: "swiftreg")
        let erl = try await harness.cluster.startNode(
            "intruder", expression: "dist_echo:greet('swiftguard@localhost')", cookie: "wrong-cookie")
        var refused: Int64 = 0
        for _ in 0..<100 where refused == 0 {
            try await Task.sleep(for: .milliseconds(100))
            refused =
                (try? harness.metrics.expectCounter(
                    "exesdb_exporter_peer_connects_total",
                    [("peer", "intruder@localhost"), ("result", "cookie_mismatch")]))?.totalValue ?? 0
        }
        #expect(refused >= 1)
        await #expect(throws: (any Error).self) { try await mailbox.messages.next(timeout: .seconds(1)) }
        #expect(listener.node.connectedPeers.isEmpty)
        await erl.stop()
        await listener.close()
    }
}
