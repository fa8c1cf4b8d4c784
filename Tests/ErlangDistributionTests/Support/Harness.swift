import BEAMPeers
import ErlangDistribution
import ErlangTerm
import Foundation
import Logging
import Metrics
import MetricsTestKit
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// A private cluster of real `erl` nodes and a Swift node connecting to them.
struct Harness {
    static let fixtures = Task<ErlangFixtures, any Error> {
        try await ErlangFixtures(
            sourceDirectory: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures").path)
    }

    let cluster: ErlangCluster
    let metrics = TestMetrics()

    init() async throws {
        cluster = try await ErlangCluster(fixtures: try await Self.fixtures.value)
    }

    /// A fresh cluster with an echo node `alive`, and a Swift node connected to it.
    static func connected(
        to alive: String, configuration: DistributionConfiguration = .forTests
    ) async throws -> (BackgroundProcess, SwiftPeer) {
        let harness = try await Harness()
        let erl = try await harness.startEchoNode(alive)
        let swift = harness.connect(to: alive, configuration: configuration)
        try await swift.waitUntilUp()
        return (erl, swift)
    }

    /// Starts a node running the echo fixture.
    func startEchoNode(_ alive: String, extraArguments: [String] = []) async throws -> BackgroundProcess {
        try await cluster.startNode(alive, expression: "dist_echo:start()", extraArguments: extraArguments)
    }

    var epmd: EPMDClient {
        EPMDClient(group: MultiThreadedEventLoopGroup.singleton, port: cluster.epmdPort)
    }

    /// A Swift node and a connection to `alive@localhost`, running in a task.
    func connect(
        to alive: String, cookie: String? = nil, configuration: DistributionConfiguration = .forTests,
        epmdPort: Int? = nil, localHost: String = "localhost"
    ) -> SwiftPeer {
        let local = LocalNode(
            name: NodeName(alive: "swift\(UInt16.random(in: 0...UInt16.max))", host: localHost),
            creation: UInt32.random(in: 1...UInt32.max))
        var logger = Logger(label: "test")
        logger.logLevel = .debug
        let connection = NodeConnection(
            peer: NodeName(alive: alive, host: "localhost"), node: local, cookie: Cookie(cookie ?? cluster.cookie),
            configuration: configuration,
            epmd: EPMDClient(group: MultiThreadedEventLoopGroup.singleton, port: epmdPort ?? cluster.epmdPort),
            group: MultiThreadedEventLoopGroup.singleton, logger: logger, metrics: metrics)
        let task = Task { await connection.run() }
        return SwiftPeer(node: local, connection: connection, task: task, cluster: cluster)
    }
}

/// The Swift side of a test: its node, its connection, and the task running it, cancelled when
/// the test lets go of it (also when the test fails before stopping it).
final class SwiftPeer: Sendable {
    let node: LocalNode
    let connection: NodeConnection
    let task: Task<Void, Never>
    /// Held so the private EPMD lives as long as the peer.
    let cluster: ErlangCluster
    /// Every failure the connection reported, in order, and how many a test has taken.
    private let failures = NIOLockedValueBox((seen: [DistributionError](), taken: 0))
    private let watcher: Task<Void, Never>

    init(node: LocalNode, connection: NodeConnection, task: Task<Void, Never>, cluster: ErlangCluster) {
        self.node = node
        self.connection = connection
        self.task = task
        self.cluster = cluster
        let failures = failures
        watcher = Task {
            for await event in connection.events {
                switch event {
                case .down(_, let reason), .attemptFailed(_, let reason):
                    failures.withLockedValue { $0.seen.append(reason) }
                case .up:
                    break
                }
            }
        }
    }

    deinit {
        task.cancel()
        watcher.cancel()
    }

    /// Waits until the connection's state satisfies `condition`.
    @discardableResult
    func waitFor(
        _ what: String, timeout: Duration = .seconds(20), _ condition: (ConnectionState) -> Bool
    ) async throws -> ConnectionState {
        let reached = try await poll(timeout: timeout) { () -> ConnectionState? in
            let state = connection.state
            return condition(state) ? state : nil
        }
        if let reached { return reached }
        throw ErlangTools.Failure(description: "connection not \(what) within \(timeout); state \(connection.state)")
    }

    func waitUntilUp(timeout: Duration = .seconds(20)) async throws {
        try await waitFor("up", timeout: timeout) {
            if case .up = $0 { return true }
            return false
        }
    }

    /// Waits for the connection's next failure, and returns why. Taken from the connection's
    /// events, not its state, so a failure is never missed because the next attempt replaced it.
    func waitForFailure(timeout: Duration = .seconds(20)) async throws -> DistributionError {
        let failures = failures
        let next = try await poll(timeout: timeout) { () -> DistributionError? in
            failures.withLockedValue { box in
                guard box.taken < box.seen.count else { return nil }
                box.taken += 1
                return box.seen[box.taken - 1]
            }
        }
        if let next { return next }
        throw ErlangTools.Failure(description: "no connection failure within \(timeout); state \(connection.state)")
    }

    func stop() async {
        task.cancel()
        await task.value
    }
}

extension DistributionConfiguration {
    static var forTests: DistributionConfiguration {
        DistributionConfiguration(
            netTickTime: .seconds(60), handshakeTimeout: .seconds(5),
            backoff: Backoff(initial: .milliseconds(200), maximum: .seconds(1), multiplier: 2, jitter: 0.1))
    }
}

extension AsyncStream where Element == Delivery {
    /// The next message, or a failure after `timeout`.
    func next(timeout: Duration = .seconds(10)) async throws -> Delivery {
        let delivery = try await withTimeout(timeout) {
            var iterator = self.makeAsyncIterator()
            return await iterator.next()
        }
        guard let delivery else { throw ErlangTools.Failure(description: "the mailbox closed") }
        return delivery
    }
}

extension SwiftPeer {
    /// Asks the echo node `alive` for `count` messages `{seq, I}` and reads them in order: the
    /// number the next one would have had (`count + 1` when all came, in order).
    func soak(_ count: Int, from alive: String) async -> Int {
        let mailbox = node.spawn()
        node.send(
            .tuple([.atom("soak"), .pid(mailbox.pid), .integer(count)]), toName: "echo", on: "\(alive)@localhost",
            from: mailbox.pid)
        // Many turns of this loop seldom suspend (the mailbox is rarely empty): on a thread of
        // its own, so they hold none of the cooperative pool's.
        return await onOwnThread {
            var expected = 1
            for await delivery in mailbox.messages {
                let view = delivery.message
                if view.isAtom(view.root, "done") { break }
                guard let number = view.element(1, of: view.root).flatMap({ view.int(of: $0) }), number == expected
                else {
                    Issue.record("message \(expected) arrived as \(view.term())")
                    break
                }
                expected += 1
            }
            return expected
        }
    }
}
