import MetricsStore
import Synchronization

/// One node's series in the BEAM families. Writes stop once the node is retired (no longer
/// followed, or followed over a new connection): its series are then removed, and a poll that
/// was still running cannot bring them back.
final class NodeFigures: Sendable {
    let node: String
    private let store: MetricsStore
    private let state = Mutex<State>(State())

    private struct State {
        var retired = false
        /// The label values (after `node`) of the series of families whose members come and go
        /// (applications, peers), as the last poll wrote them.
        var members: [String: Set<[String]>] = [:]
    }

    init(node: String, store: MetricsStore) {
        self.node = node
        self.store = store
    }

    func gauge(_ family: String, _ value: Double, _ labels: [String] = []) {
        write { _ in GaugeFamily(store.family(named: family))?.set(value, [node] + labels) }
    }

    /// A counter kept by the node: the total it reports (lower after the node restarted).
    func counter(_ family: String, total: Double) {
        write { _ in CounterFamily(store.family(named: family))?.setTotal(total, [node]) }
    }

    func info(_ family: String, _ labels: [String]) {
        write { _ in InfoFamily(store.family(named: family))?.set([node] + labels) }
    }

    /// Sets the series of a family whose members come and go (the node's peers, its applications)
    /// to `values`, and removes those the last call set that are not there any more.
    func members(_ family: String, _ values: [[String]: Double]) {
        write { state in
            guard let metrics = store.family(named: family) else { return }
            let previous = state.members[family] ?? []
            for (labels, value) in values {
                if metrics.descriptor.type == .info {
                    InfoFamily(metrics)?.set([node] + labels)
                } else {
                    GaugeFamily(metrics)?.set(value, [node] + labels)
                }
            }
            for gone in previous.subtracting(values.keys) { metrics.removeSeries(values: [node] + gone) }
            state.members[family] = Set(values.keys)
        }
    }

    func pollDuration(_ seconds: Double) {
        write { _ in
            GaugeFamily(store.family(named: BEAMFamilies.collectorDuration.name))?.set(
                seconds, ["beam", node])
        }
    }

    func error(_ reason: PollProblem.Reason, count: Int = 1) {
        write { _ in
            CounterFamily(store.family(named: BEAMFamilies.collectorErrors.name))?.add(
                Double(count), ["beam", node, reason.rawValue])
        }
    }

    /// The error counters at 0, so that a first error shows as an increase.
    func touchErrors() {
        write { _ in
            let errors = CounterFamily(store.family(named: BEAMFamilies.collectorErrors.name))
            for reason in PollProblem.Reason.allCases { errors?.touch(["beam", node, reason.rawValue]) }
        }
    }

    /// No more writes; every series of the node goes.
    func retire() {
        state.withLock { state in
            state.retired = true
            for name in BEAMFamilies.names { store.removeSeries(family: name, label: "node", value: node) }
        }
    }

    /// Runs `body` unless the node is retired, under the lock retiring takes.
    private func write(_ body: (inout State) -> Void) {
        state.withLock { state in
            guard !state.retired else { return }
            body(&state)
        }
    }
}
