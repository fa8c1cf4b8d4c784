import BEAMPeers
import ErlangDistribution
import ErlangTerm
import Foundation
import Logging
import NIOPosix
import Synchronization

/// A hidden node of our own that only carries the benchmark's commands to the BEAM nodes and
/// takes their answers; it joins no pg group, so it sees none of the flood.
final class ControlNode: Sendable {
    let node: LocalNode
    private let mailbox: Mailbox
    private let cluster: ErlangCluster
    private let received: Collector<Term>
    private let tasks = Mutex<[Task<Void, Never>]>([])

    init(cluster: ErlangCluster) {
        self.cluster = cluster
        node = LocalNode(name: NodeName(alive: "e2ectl", host: "localhost"), creation: 11)
        mailbox = node.spawn()
        received = Collector(mailbox.messages) { $0.message.term($0.message.root) }
    }

    /// Connects to `alive@localhost` and keeps the connection up until `stop`.
    func connect(_ alive: String) async throws {
        let connection = NodeConnection(
            peer: NodeName(alive: alive, host: "localhost"), node: node, cookie: Cookie(cluster.cookie),
            configuration: DistributionConfiguration(),
            epmd: EPMDClient(group: MultiThreadedEventLoopGroup.singleton, port: cluster.epmdPort),
            group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "bench-control"))
        tasks.withLock { $0.append(Task { await connection.run() }) }
        try await withTimeout(.seconds(30)) {
            for await event in connection.events {
                if case .up = event { return }
            }
            throw ErlangTools.Failure(description: "no connection to \(alive)")
        }
    }

    var pid: Pid { mailbox.pid }

    func send(_ message: Term, to name: Atom, on alive: String) {
        node.send(message, toName: name, on: "\(alive)@localhost", from: mailbox.pid)
    }

    /// The first answer (taken out of the mailbox) that `match` accepts, waiting up to `timeout`.
    func answer<T: Sendable>(
        timeout: Duration = .seconds(600), _ match: @escaping @Sendable (Term) -> T?
    ) async throws -> T {
        guard let found = try await received.next(timeout: timeout, every: .milliseconds(2), match) else {
            throw ErlangTools.Failure(description: "no expected answer within \(timeout)")
        }
        return found
    }

    func stop() {
        received.stop()
        for task in tasks.withLock({ $0 }) { task.cancel() }
    }
}

extension Term {
    /// The elements of a tuple whose first element is the atom `tag`.
    func tagged(_ tag: String) -> [Term]? {
        guard case .tuple(let elements) = self, case .atom(let first)? = elements.first, first.name == tag else {
            return nil
        }
        return elements
    }
}
