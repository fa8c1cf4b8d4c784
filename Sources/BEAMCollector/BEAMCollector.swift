import ErlangDistribution
import Logging
import MetricsStore
import Synchronization

/// Reads every followed node's VM over the distribution, with nothing installed in the node: a
/// handful of `rex` calls per node and poll (`erlang:system_info/1` and `erlang:statistics/1`
/// items in one `lists:map/2` call each, `erlang:memory/0`, `application:which_applications/0`,
/// `net_kernel:nodes_info/0`), one call in flight per node, each node on its own schedule. The
/// answers go into the metrics store, so a scrape never waits on the cluster.
///
/// A node's series go when it is no longer followed, and are made anew over a new connection
/// (a restarted node's counters start again from its own zero).
public final class BEAMCollector: Sendable {
    private let local: LocalNode
    private let store: MetricsStore
    private let configuration: BEAMCollectorConfiguration
    private let logger: Logger
    private let followed: @Sendable () -> [String: UInt64]
    private let pollers = Mutex<[String: Poller]>([:])

    /// A node's poller, with its answer reader and (under `run()`) its polling loop.
    private struct Poller {
        let poller: NodePoller
        let reader: Task<Void, Never>
        var loop: Task<Void, Never>?
    }

    /// `followed` names the nodes to poll, each with the number of its connection (a node that
    /// reconnected has a new one): `ClusterSubscription.subscribedConnections`.
    public init(
        node: LocalNode, store: MetricsStore, configuration: BEAMCollectorConfiguration = BEAMCollectorConfiguration(),
        logger: Logger, followed: @escaping @Sendable () -> [String: UInt64]
    ) throws(FamilyRegistrationError) {
        local = node
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.followed = followed
        try BEAMFamilies.register(in: store)
    }

    /// Polls each followed node every `interval` until cancelled; looks for nodes that came or
    /// went every second. Then every node's series go.
    public func run() async {
        logger.info(
            "polling the VM of every node followed (\(BEAMCollectorSetting.enabled))",
            metadata: ["interval": "\(configuration.interval)", "timeout": "\(configuration.timeout)"])
        while !Task.isCancelled {
            reconcile(loops: true)
            try? await Task.sleep(for: .seconds(1))
        }
        await retireAll()
    }

    /// Polls every followed node once, all at once, and returns when every poll has ended (for
    /// tests and tools; `run()` keeps a schedule per node instead).
    public func pollOnce() async {
        reconcile(loops: false)
        let current = pollers.withLock { $0.values.map(\.poller) }
        await withDiscardingTaskGroup { polls in
            for poller in current { polls.addTask { await poller.poll() } }
        }
    }

    /// The nodes polled now, with their connection numbers.
    public var polledNodes: [String: UInt64] { pollers.withLock { $0.mapValues(\.poller.connection) } }

    /// The nodes with a call of ours not answered yet.
    var busyNodes: Set<String> { Set(pollers.withLock { $0.values.filter(\.poller.isBusy).map(\.poller.node) }) }

    /// Stops polling every node and removes their series.
    public func retireAll() async {
        let all = pollers.withLock { pollers in
            defer { pollers.removeAll() }
            return Array(pollers.values)
        }
        for entry in all { retire(entry) }
        for entry in all {
            await entry.loop?.value
            await entry.reader.value
        }
    }

    /// Starts a poller for each node followed over a connection not polled yet; retires those of
    /// nodes gone or reconnected.
    private func reconcile(loops: Bool) {
        let current = followed()
        let (gone, started) = pollers.withLock { pollers -> ([Poller], [String]) in
            var gone: [Poller] = []
            for (node, entry) in pollers where current[node] != entry.poller.connection {
                gone.append(entry)
                pollers[node] = nil
            }
            var started: [String] = []
            for (node, connection) in current where pollers[node] == nil {
                pollers[node] = start(node, connection: connection, loop: loops)
                started.append(node)
            }
            if loops {
                for (node, entry) in pollers where entry.loop == nil { pollers[node]?.loop = loop(entry.poller) }
            }
            return (gone, started)
        }
        for entry in gone { retire(entry) }
        for node in started { logger.debug("polling the VM of a node", metadata: ["node": "\(node)"]) }
    }

    private func start(_ node: String, connection: UInt64, loop: Bool) -> Poller {
        let poller = NodePoller(
            node: node, connection: connection, local: local, figures: NodeFigures(node: node, store: store),
            configuration: configuration, logger: logger)
        return Poller(
            poller: poller, reader: Task { await poller.readAnswers() }, loop: loop ? self.loop(poller) : nil)
    }

    /// Polls `poller` every `interval` (from one start to the next) until cancelled.
    private func loop(_ poller: NodePoller) -> Task<Void, Never> {
        let interval = configuration.interval
        return Task {
            while !Task.isCancelled {
                let next = ContinuousClock.now + interval
                await poller.poll()
                try? await Task.sleep(until: next, clock: .continuous)
            }
        }
    }

    private func retire(_ entry: Poller) {
        // Closed first, a call still waiting ends as `.closed` (not counted), not as a timeout.
        entry.poller.retire()
        entry.loop?.cancel()
        logger.debug("stopped polling the VM of a node", metadata: ["node": "\(entry.poller.node)"])
    }
}
