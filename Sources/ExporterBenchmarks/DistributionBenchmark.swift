import BEAMPeers
import ErlangDistribution
import ErlangTerm
import Foundation
import Logging
import NIOPosix

/// Receiving signed LatencyMetric broadcasts from a real node over the distribution, beside a
/// second BEAM node receiving the same stream from the same sender in the same run.
enum DistributionBenchmark {
    static func run(messages: Int, erlangSources: URL) async throws {
        let cluster = try await ErlangCluster(fixtures: try await ErlangFixtures(sourceDirectory: erlangSources.path))
        let sender = try await cluster.startNode("bsend", expression: "dist_bench:sender()")
        defer { sender.stopNow() }
        let beam = try await cluster.startNode(
            "brecv", expression: "dist_bench:receiver('bsend@localhost', \(messages))")
        defer { beam.stopNow() }
        let beamLine = try await beam.waitForLine(containing: "beam_receive_us", timeout: .seconds(300))
        let beamSeconds = (Double(beamLine.split(separator: " ").last ?? "") ?? .nan) / 1e6

        let node = LocalNode(name: NodeName(alive: "bswift", host: "localhost"), creation: 7)
        let connection = NodeConnection(
            peer: NodeName(alive: "bsend", host: "localhost"), node: node, cookie: Cookie(cluster.cookie),
            configuration: DistributionConfiguration(),
            epmd: EPMDClient(group: MultiThreadedEventLoopGroup.singleton, port: cluster.epmdPort),
            group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "bench"))
        let task = Task { await connection.run() }
        defer { task.cancel() }
        var events = connection.events.makeAsyncIterator()
        _ = await events.next()
        let mailbox = node.spawn()
        var messagesIterator = mailbox.messages.makeAsyncIterator()
        _ = try await receive(1, from: node, mailbox: mailbox, iterator: &messagesIterator)
        let start = ContinuousClock.now
        let received = try await receive(messages, from: node, mailbox: mailbox, iterator: &messagesIterator)
        let swiftSeconds = seconds(ContinuousClock.now - start)

        print(
            "\nDistribution: \(messages) signed LatencyMetric broadcasts (533 bytes) from one node, received in order")
        let width = 40
        print(
            "  " + "BEAM node receiving".padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "%8.0f msg/s  %6.2f s", Double(messages) / beamSeconds, beamSeconds))
        print(
            "  " + "Swift node receiving (TermView each)".padding(toLength: width, withPad: " ", startingAt: 0)
                + String(
                    format: "%8.0f msg/s  %6.2f s  %.2fx the BEAM's throughput", Double(received) / swiftSeconds,
                    swiftSeconds,
                    beamSeconds / swiftSeconds))
    }

    private static func receive(
        _ count: Int, from node: LocalNode, mailbox: Mailbox, iterator: inout AsyncStream<Delivery>.Iterator
    ) async throws -> Int {
        node.send(
            .tuple([.atom("go"), .pid(mailbox.pid), .integer(count)]), toName: "sender", on: "bsend@localhost",
            from: mailbox.pid)
        var seen = 0
        while let delivery = await iterator.next() {
            let view = delivery.message
            if view.isAtom(view.root, "done") { break }
            guard view.count(of: view.root) == 4 else { throw ErlangTools.Failure(description: "unexpected message") }
            seen += 1
        }
        return seen
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
