import BEAMPeers
import ErlangDistribution
import ErlangTerm
import Foundation
import Testing

/// A Swift node against real `erl` nodes: messages both ways, monitors, errors an operator sees.
@Suite(.serialized) struct ConnectionTests {
    @Test func echoProcessRepliesToOurPid() async throws {
        let harness = try await Harness()
        let erl = try await harness.startEchoNode("echo1")
        let swift = harness.connect(to: "echo1")
        try await swift.waitUntilUp()
        let mailbox = swift.node.spawn()
        let message = Term.tuple([.atom("echo"), .pid(mailbox.pid), .binary("hello from swift")])
        #expect(swift.node.send(message, toName: "echo", on: "echo1@localhost", from: mailbox.pid))
        let reply = try await mailbox.messages.next()
        #expect(reply.message.term() == .tuple([.atom("echoed"), .binary("hello from swift")]))
        #expect(reply.peer == "echo1@localhost")
        // The node sees us as a hidden node.
        #expect(
            swift.node.send(
                .tuple([.atom("nodes"), .pid(mailbox.pid)]), toName: "echo", on: "echo1@localhost", from: mailbox.pid))
        let nodes = try await mailbox.messages.next()
        #expect(nodes.message.term() == .tuple([.atom("nodes"), .list([.atom(swift.node.name)])]))
        await swift.stop()
        erl.stop()
    }
}
