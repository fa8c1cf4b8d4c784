import ErlangDistribution
import ErlangRPC
import ErlangTerm
import Logging
import Synchronization

/// Polls one node over one connection: a handful of rex calls per poll, one at a time, each
/// answer read into the node's series. A call that times out ends the poll, and the node is asked
/// nothing more until it answers (`RexChannel`), so a frozen node holds at most one of our calls.
final class NodePoller: Sendable {
    let node: String
    /// The number of the connection polled: a new one means a new poller.
    let connection: UInt64
    let figures: NodeFigures
    private let channel: RexChannel
    private let configuration: BEAMCollectorConfiguration
    private let logger: Logger
    private let state = Mutex<State>(State())

    private struct State {
        /// Items this node's release lacks (it answered badarg for them): not asked again.
        var unsupported: Set<String> = []
        /// The kinds of problem logged already (one line each).
        var logged: Set<String> = []
    }

    /// Whether the poll goes on after a call.
    private enum Outcome {
        case answer(Term)
        case skipped
        case stop
    }

    init(
        node: String, connection: UInt64, local: LocalNode, figures: NodeFigures,
        configuration: BEAMCollectorConfiguration, logger: Logger
    ) {
        self.node = node
        self.connection = connection
        self.figures = figures
        self.configuration = configuration
        self.logger = logger
        channel = RexChannel(node: local, peer: node)
        figures.touchErrors()
    }

    /// Reads the answers until `retire()`: run it in a task of its own.
    func readAnswers() async { await channel.run() }

    /// Whether a call of ours is still unanswered.
    var isBusy: Bool { channel.isBusy }

    /// Stops the poller: its series go, and the channel's process ends.
    func retire() {
        figures.retire()
        channel.close()
    }

    /// One poll: system_info, statistics, memory, applications, the distribution, in that order.
    func poll() async {
        let started = ContinuousClock.now
        defer { figures.pollDuration(Self.seconds(ContinuousClock.now - started)) }
        guard let info = await batch("system_info", configuration.systemInfoItems) else { return }
        let system = VMReadings.systemInfo(info)
        apply(system.reading)
        guard let statistics = await batch("statistics", configuration.statisticsItems) else { return }
        apply(VMReadings.statistics(statistics, wordsize: system.wordsize, schedulers: system.schedulers))
        let rest: [(Atom, Atom, String, (Term) -> Reading)] = [
            ("erlang", "memory", "erlang:memory/0", VMReadings.memory),
            ("application", "which_applications", "application:which_applications/0", VMReadings.applications),
            ("net_kernel", "nodes_info", "net_kernel:nodes_info/0", VMReadings.distribution),
        ]
        for (module, function, subject, read) in rest {
            switch await call(module, function, [], subject: subject) {
            case .answer(let term): apply(read(term))
            case .skipped: continue
            case .stop: return
            }
        }
        answered()
    }

    /// `lists:map(fun erlang:Function/1, Items)` in one call, by item. An item the node's release
    /// lacks (badarg naming it) is counted once, left out from then on, and the call made again
    /// without it. Nil when the poll must stop.
    private func batch(_ function: Atom, _ requested: [Atom]) async -> [String: Term]? {
        let unsupported = state.withLock { $0.unsupported }
        var items = requested.filter { !unsupported.contains("\(function.name)(\($0.name))") }
        let fun = Term.export(ExportFun(module: "erlang", function: function, arity: 1))
        while !items.isEmpty {
            let subject = "erlang:\(function.name)/1"
            let reply = await channel.call(
                "lists", "map", [fun, .list(items.map(Term.atom))], timeout: configuration.timeout)
            switch reply {
            case .value(let answer):
                guard let values = answer.elements, values.count == items.count else {
                    report([PollProblem(reason: .decode, subject: subject, found: Reading.shape(answer))])
                    return [:]
                }
                return Dictionary(zip(items.map(\.name), values)) { first, _ in first }
            case .badrpc(let reason):
                guard let item = Self.itemRefused(reason, function: function), items.contains(item) else {
                    report([PollProblem(reason: .badrpc, subject: subject, found: Self.describe(reason))])
                    return [:]
                }
                items.removeAll { $0 == item }
                let key = "\(function.name)(\(item.name))"
                state.withLock { _ = $0.unsupported.insert(key) }
                report([PollProblem(reason: .badrpc, subject: "erlang:\(key)", found: "badarg: this release lacks it")])
            default:
                return stop(reply, subject: subject)
            }
        }
        return [:]
    }

    private func call(_ module: Atom, _ function: Atom, _ arguments: [Term], subject: String) async -> Outcome {
        let reply = await channel.call(module, function, arguments, timeout: configuration.timeout)
        switch reply {
        case .value(let answer):
            return .answer(answer)
        case .badrpc(let reason):
            report([PollProblem(reason: .badrpc, subject: subject, found: Self.describe(reason))])
            return .skipped
        default:
            _ = stop(reply, subject: subject)
            return .stop
        }
    }

    /// A call that got no answer: a timeout (or an earlier one still unanswered) is counted; a
    /// connection that is gone or a poller retired only ends the poll. Always nil.
    private func stop(_ reply: RexReply, subject: String) -> [String: Term]? {
        // A poll cut short by the collector stopping is no fault of the node's.
        guard !Task.isCancelled else { return nil }
        switch reply {
        case .timeout:
            report([PollProblem(reason: .timeout, subject: "the node", found: "no answer to \(subject)")])
        case .outstanding:
            report([PollProblem(reason: .timeout, subject: "the node", found: "still no answer to an earlier call")])
        default:
            break
        }
        return nil
    }

    private func apply(_ reading: Reading) {
        for update in reading.updates {
            switch update {
            case .gauge(let family, let value, let labels): figures.gauge(family, value, labels)
            case .counter(let family, let total): figures.counter(family, total: total)
            case .info(let family, let labels): figures.info(family, labels)
            case .members(let family, let values): figures.members(family, values)
            }
        }
        report(reading.problems)
    }

    /// Counts each problem; logs each kind once for this node (a timeout again after the node
    /// answered in between).
    private func report(_ problems: [PollProblem]) {
        for problem in problems {
            figures.error(problem.reason)
            let first = state.withLock { $0.logged.insert(problem.kind).inserted }
            guard first else { continue }
            logger.warning(
                "\(problem.message)",
                metadata: [
                    "node": "\(node)", "collector": "beam", "reason": "\(problem.reason.rawValue)",
                    "item": "\(problem.subject)", "found": "\(problem.found)",
                ])
        }
    }

    /// A whole poll was answered: a later timeout is a new stall, worth a line again.
    private func answered() {
        let wasStalled = state.withLock { state in
            let kinds = state.logged.filter { $0.hasPrefix(PollProblem.Reason.timeout.rawValue + " ") }
            state.logged.subtract(kinds)
            return !kinds.isEmpty
        }
        if wasStalled {
            logger.info(
                "the node answers the BEAM collector again", metadata: ["node": "\(node)", "collector": "beam"])
        }
    }

    /// The item a `lists:map(fun erlang:F/1, Items)` call raised badarg for:
    /// `{'EXIT', {badarg, [{erlang, F, [Item], _} | _]}}`.
    static func itemRefused(_ reason: Term, function: Atom) -> Atom? {
        guard reason.field(0) == .atom("EXIT"), let exit = reason.field(1), exit.field(0) == .atom("badarg"),
            let frame = exit.field(1)?.elements?.first, frame.field(0) == .atom("erlang"),
            frame.field(1) == .atom(function), case .atom(let item)? = frame.field(2)?.elements?.first
        else { return nil }
        return item
    }

    /// A badrpc reason for a log line: its first atoms, not the whole term.
    static func describe(_ reason: Term) -> String {
        var words: [String] = []
        var term: Term? = reason
        while let current = term, words.count < 3 {
            if case .atom(let atom) = current {
                words.append(atom.name)
                break
            }
            if case .atom(let atom)? = current.field(0) { words.append(atom.name) }
            term = current.field(1)
        }
        return words.isEmpty ? Reading.shape(reason) : words.joined(separator: " ")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
