import ErlangTerm

/// How the BEAM collector polls (`--collector.beam.*`).
public struct BEAMCollectorConfiguration: Sendable, Equatable {
    /// Time between the starts of two polls of one node.
    public var interval: Duration
    /// How long one rex call may take; a node that does not answer in time is counted (`timeout`)
    /// and asked nothing more until it answers.
    public var timeout: Duration
    /// The `erlang:system_info/1` items asked for, in one `lists:map/2` call.
    public var systemInfoItems: [Atom]
    /// The `erlang:statistics/1` items asked for, in one `lists:map/2` call.
    public var statisticsItems: [Atom]

    public init(
        interval: Duration = .seconds(15), timeout: Duration = .seconds(5),
        systemInfoItems: [Atom] = VMItems.systemInfo, statisticsItems: [Atom] = VMItems.statistics
    ) {
        self.interval = interval
        self.timeout = timeout
        self.systemInfoItems = systemInfoItems
        self.statisticsItems = statisticsItems
    }
}

/// The items every OTP 25 to 28 node answers (an older node lacking one is told apart: the item is
/// counted once and left out of its later polls).
public enum VMItems {
    public static let systemInfo: [Atom] = [
        "otp_release", "version", "wordsize", "process_count", "process_limit", "port_count", "port_limit",
        "atom_count", "atom_limit", "ets_count", "ets_limit", "schedulers", "schedulers_online",
        "dirty_cpu_schedulers", "dirty_cpu_schedulers_online", "dirty_io_schedulers",
    ]

    public static let statistics: [Atom] = [
        "io", "context_switches", "garbage_collection", "reductions", "run_queue", "run_queue_lengths_all", "runtime",
        "wall_clock",
    ]
}
