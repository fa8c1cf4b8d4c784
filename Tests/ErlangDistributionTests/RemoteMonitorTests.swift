import BEAMPeers
import ErlangDistribution
import ErlangTerm
import Testing

/// Monitors our processes hold on processes of a real node (`LocalNode.monitor`), as
/// `erlang:monitor(process, Pid)`: the `'DOWN'` message with the real reason, or `noconnection`.
@Suite(.serialized) struct RemoteMonitorTests {
    /// The echo process's pid, from the sender of its reply.
    func echoPid(_ swift: SwiftPeer, on node: String, mailbox: Mailbox) async throws -> Pid {
        swift.node.send(
            .tuple([.atom("echo"), .pid(mailbox.pid), .atom("who")]), toName: "echo", on: node, from: mailbox.pid)
        return try #require(try await mailbox.messages.next().sender)
    }

    @Test func downCarriesTheExitReason() async throws {
        let (erl, swift) = try await Harness.connected(to: "rmon1")
        let watcher = swift.node.spawn()
        let echo = try await echoPid(swift, on: "rmon1@localhost", mailbox: watcher)
        let reference = try #require(swift.node.monitor(echo, from: watcher.pid))
        swift.node.send(.tuple([.atom("exit_with"), .atom("bye")]), to: echo, from: watcher.pid)
        let down = try await watcher.messages.next()
        #expect(
            down.message.term()
                == .tuple([.atom("DOWN"), .reference(reference), .atom("process"), .pid(echo), .atom("bye")]))
        #expect(down.peer == "rmon1@localhost")
        await swift.stop()
        await erl.stop()
    }

    @Test func downSaysNoconnectionWhenTheNodeGoes() async throws {
        let (erl, swift) = try await Harness.connected(to: "rmon2")
        let watcher = swift.node.spawn()
        let echo = try await echoPid(swift, on: "rmon2@localhost", mailbox: watcher)
        let reference = try #require(swift.node.monitor(echo, from: watcher.pid))
        await erl.stop()
        let down = try await watcher.messages.next(timeout: .seconds(20))
        #expect(
            down.message.term()
                == .tuple([.atom("DOWN"), .reference(reference), .atom("process"), .pid(echo), .atom("noconnection")]))
        await swift.stop()
    }

    @Test func aProcessOfANodeNotConnectedCannotBeMonitored() async throws {
        let (erl, swift) = try await Harness.connected(to: "rmon3")
        let watcher = swift.node.spawn()
        let elsewhere = Pid(node: "nowhere@localhost", id: 1, serial: 0, creation: 1)
        #expect(swift.node.monitor(elsewhere, from: watcher.pid) == nil)
        await swift.stop()
        await erl.stop()
    }
}
