import BEAMPeers
import ErlangDistribution
import ErlangTerm
import Foundation
import Logging
import NIOPosix
import Synchronization

@testable import BEAMCollector

/// `erl` nodes running `vm_witness` on a private EPMD, meshed with each other, and our hidden node
/// connected to each of them (the exporter's side: what `ClusterSubscription` would follow, with
/// a number per connection).
final class WitnessCluster: Sendable {
    static let fixtures = Task<ErlangFixtures, any Error> {
        try await ErlangFixtures(shared: [.vmWitness])
    }

    let cluster: ErlangCluster
    let node: LocalNode
    private let names: [String]
    private let running = Mutex<[String: BackgroundProcess]>([:])
    private let followedNow = Box<(peers: [String: UInt64], connections: UInt64)>(([:], 0))
    /// The tuples our control process received: the witnesses' answers.
    private let inbox: Collector<[Term]>
    private let control: Mailbox
    private let tasks = Mutex<[Task<Void, Never>]>([])

    /// Starts `names` (short names, `@localhost`) one after the other, each meshed with those
    /// before it, and connects our node to each.
    init(_ names: [String]) async throws {
        cluster = try await ErlangCluster(fixtures: try await Self.fixtures.value)
        self.names = names
        node = LocalNode(
            name: NodeName(alive: "collector_\(UInt16.random(in: 0...UInt16.max))", host: "localhost"),
            creation: UInt32.random(in: 1...UInt32.max))
        control = node.spawn()
        inbox = Collector(control.messages) { delivery in
            if case .tuple(let fields) = delivery.message.term() { fields } else { nil }
        }
        for name in names {
            try await start(name)
            follow(name)
        }
        try await eventually("connected to \(names)") { Set(followed.keys) == Set(names.map(Self.full)) }
    }

    deinit {
        for task in tasks.withLock({ $0 }) { task.cancel() }
        for process in running.withLock({ Array($0.values) }) { process.stopNow() }
    }

    static func full(_ name: String) -> String { "\(name)@localhost" }

    /// The nodes connected now, each with the number of its connection.
    var followed: [String: UInt64] { followedNow.value.withLock { $0.peers } }

    /// Starts `name`, meshed with the other nodes running.
    func start(_ name: String) async throws {
        let peers = running.withLock { Array($0.keys) }.map { "'\(Self.full($0))'" }.joined(separator: ", ")
        let process = try await cluster.startNode(name, expression: "vm_witness:start([\(peers)])")
        running.withLock { $0[name] = process }
    }

    /// Kills `name` and waits for its end.
    func stop(_ name: String) async {
        await running.withLock { $0.removeValue(forKey: name) }?.stop()
    }

    /// Stops `name` with SIGSTOP; returns once all its threads have stopped.
    func freeze(_ name: String) async throws {
        try await running.withLock { $0[name] }?.freeze()
    }

    func thaw(_ name: String) {
        running.withLock { $0[name] }?.thaw()
    }

    /// Keeps a connection to `name` up for the cluster's life, numbering each that comes up.
    private func follow(_ name: String) {
        let connection = NodeConnection(
            peer: NodeName(alive: name, host: "localhost"), node: node, cookie: Cookie(cluster.cookie),
            configuration: DistributionConfiguration(
                backoff: Backoff(initial: .milliseconds(100), maximum: .milliseconds(500))),
            epmd: EPMDClient(group: MultiThreadedEventLoopGroup.singleton, port: cluster.epmdPort),
            group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test"))
        let followedNow = followedNow
        tasks.withLock {
            $0.append(Task { await connection.run() })
            $0.append(
                Task {
                    for await event in connection.events {
                        followedNow.value.withLock { state in
                            switch event {
                            case .up(let peer, _):
                                state.connections += 1
                                state.peers[peer] = state.connections
                            case .down(let peer, _): state.peers[peer] = nil
                            case .attemptFailed: break
                            }
                        }
                    }
                })
        }
    }

    /// What `name` reports of itself (vm_witness's report: the collector's calls made locally).
    func report(_ name: String) async throws -> Report {
        guard case .map(let entries) = try await ask(name, "report").last else {
            throw ErlangTools.Failure(description: "a report that is not a map")
        }
        return Report(entries: entries)
    }

    /// The rex calls other nodes made to `name` so far: `{Node, Module, Function, Arguments}`.
    func rexCalls(_ name: String) async throws -> [RexCall] {
        guard let calls = try await ask(name, "rex_calls").last?.elements else {
            throw ErlangTools.Failure(description: "a rex_calls reply without its list")
        }
        return calls.compactMap(RexCall.init)
    }

    /// Our calls `name` received, once it has recorded at least `count` of them: rex's trace
    /// messages reach the witness a moment after rex got the call, so the last few may still be
    /// on their way when asked at once.
    func ourRexCalls(_ name: String, atLeast count: Int) async throws -> [RexCall] {
        var calls: [RexCall] = []
        _ = try await poll(timeout: .seconds(10), every: .milliseconds(50)) { () async throws -> Bool? in
            calls = try await rexCalls(name).filter { $0.from == node.name.name }
            return calls.count >= count ? true : nil
        }
        return calls
    }

    /// Sends `{tag, OurPid}` to `vm_witness` on `name` and waits for `{tag, ...}`.
    private func ask(_ name: String, _ tag: Atom) async throws -> [Term] {
        inbox.removeAll { $0.first == .atom(tag) }
        guard
            node.send(
                .tuple([.atom(tag), .pid(control.pid)]), toName: "vm_witness", on: Self.full(name), from: control.pid)
        else { throw ErlangTools.Failure(description: "not connected to \(name)") }
        let reply = try await inbox.next(timeout: .seconds(10)) { $0.first == .atom(tag) ? $0 : nil }
        guard let reply else { throw ErlangTools.Failure(description: "\(name) did not answer \(tag)") }
        return reply
    }
}

/// A value behind a lock, shared with the tasks that fill it.
final class Box<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ initial: Value) { value = Mutex(initial) }
}

/// One rex call a node received: from which node, which function.
struct RexCall: Sendable, Equatable {
    let from: String
    let module: String
    let function: String
    let arguments: [Term]

    init?(_ term: Term) {
        guard case .tuple(let fields) = term, fields.count == 4, case .atom(let from) = fields[0],
            case .atom(let module) = fields[1], case .atom(let function) = fields[2], let arguments = fields[3].elements
        else { return nil }
        (self.from, self.module, self.function, self.arguments) = (from.name, module.name, function.name, arguments)
    }
}

/// vm_witness's report: `#{memory => [...], system_info => [...], statistics => [...],
/// applications => [{App, Version}], peers => [Node]}`.
struct Report: Sendable {
    let entries: [MapEntry]

    func value(_ key: String) -> Term? { entries.first { $0.key == .atom(Atom(key)) }?.value }

    func memory(_ key: String) -> Double? { value("memory")?.proplistValue(key)?.number }

    func systemInfo(_ item: String) -> Term? { value("system_info")?.proplistValue(item) }

    func statistics(_ item: String) -> Term? { value("statistics")?.proplistValue(item) }

    var applications: Set<[String]> {
        Set(
            (value("applications")?.elements ?? []).compactMap { pair -> [String]? in
                guard case .tuple(let fields) = pair, fields.count == 2, case .atom(let app) = fields[0],
                    let version = fields[1].text
                else { return nil }
                return [app.name, version]
            })
    }

    var peers: Set<String> {
        Set((value("peers")?.elements ?? []).compactMap { if case .atom(let node) = $0 { node.name } else { nil } })
    }
}

extension Term {
    /// The value under atom `key` of a `[{Key, Value}]` list.
    func proplistValue(_ key: String) -> Term? {
        for case .tuple(let pair) in elements ?? [] where pair.count == 2 && pair[0] == .atom(Atom(key)) {
            return pair[1]
        }
        return nil
    }

}
