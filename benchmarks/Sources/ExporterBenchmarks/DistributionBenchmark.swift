import BEAMPeers
import ErlangDistribution
import ErlangTerm
import Foundation
import Logging
import NIOPosix
import PhoenixPubSub
import Synchronization

/// Receiving signed LatencyMetric broadcasts from a real node over the distribution, beside a
/// second BEAM node receiving the same stream from the same sender in the same run: into an
/// inline process that reads each broadcast's head in place (as the exporter's PubSub members
/// do), and into a mailbox that decodes each one whole into a `TermView`.
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
        for await event in connection.events {
            if case .up = event { break }
        }

        let counter = BroadcastCounter()
        let inline = node.spawnInline(counter)
        _ = try await counter.receive(1, from: node, pid: inline.pid)
        let inlineStart = ContinuousClock.now
        let inlineReceived = try await counter.receive(messages, from: node, pid: inline.pid)
        let inlineSeconds = seconds(ContinuousClock.now - inlineStart)

        let mailbox = node.spawn()
        var iterator = mailbox.messages.makeAsyncIterator()
        _ = try await receive(1, from: node, mailbox: mailbox, iterator: &iterator)
        let start = ContinuousClock.now
        let received = try await receive(messages, from: node, mailbox: mailbox, iterator: &iterator)
        let swiftSeconds = seconds(ContinuousClock.now - start)

        print(
            "\nDistribution: \(messages) signed LatencyMetric broadcasts (533 bytes) from one node, received in order")
        row("BEAM node receiving", messages, beamSeconds, nil)
        row("Swift inline process (head read in place)", inlineReceived, inlineSeconds, beamSeconds)
        row("Swift mailbox (TermView each, task hop)", received, swiftSeconds, beamSeconds)
    }

    private static func row(_ name: String, _ count: Int, _ elapsed: Double, _ beam: Double?) {
        print(
            "  " + name.padding(toLength: 44, withPad: " ", startingAt: 0)
                + String(format: "%8.0f msg/s  %6.2f s", Double(count) / elapsed, elapsed)
                + (beam.map { String(format: "  %.2fx the BEAM's throughput", $0 / elapsed) } ?? ""))
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

/// Counts the broadcasts it is sent where they are read, until the sender's `done`.
final class BroadcastCounter: InlineReceiver {
    private let seen = Atomic<Int>(0)
    private let finished = Atomic<Bool>(false)

    func receive(_ delivery: InlineDelivery) {
        if ForwardToLocal.header(delivery.bytes, at: delivery.offset) != nil {
            seen.wrappingAdd(1, ordering: .relaxed)
        } else {
            finished.store(true, ordering: .releasing)
        }
    }

    /// Asks the sender for `count` broadcasts and waits for its `done`; how many arrived.
    func receive(_ count: Int, from node: LocalNode, pid: Pid) async throws -> Int {
        seen.store(0, ordering: .relaxed)
        finished.store(false, ordering: .relaxed)
        node.send(
            .tuple([.atom("go"), .pid(pid), .integer(count)]), toName: "sender", on: "bsend@localhost", from: pid)
        let deadline = ContinuousClock.now + .seconds(300)
        while !finished.load(ordering: .acquiring) {
            guard ContinuousClock.now < deadline else { throw ErlangTools.Failure(description: "no done") }
            try await Task.sleep(for: .milliseconds(1))
        }
        return seen.load(ordering: .relaxed)
    }
}
