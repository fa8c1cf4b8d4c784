/// The payloads of the `ex_esdb_diagnostics` and `ex_esdb_logging` buses (README, The other six buses). Trace,
/// analysis, snapshot, error, log, summary, filter and rotation ids, messages, stack traces, file
/// paths and free-form maps are never read.

public struct DebugTrace: Sendable, Equatable {
    public var component: String?
    public var durationMilliseconds: Double?
    public var node: String
    public var timestamp: Double?
}

public struct PerformanceAnalysis: Sendable, Equatable {
    public var component: String?
    /// bottleneck, memory_leak, cpu_hotspot or io_analysis.
    public var analysisType: String?
    /// low, medium, high or critical.
    public var severity: String?
    /// The numeric entries of `findings`, in wire order.
    public var findings: [NumericTag]
    public var node: String
    public var timestamp: Double?
}

public struct SystemState: Sendable, Equatable {
    /// full, partial, process_tree or memory_dump.
    public var snapshotType: String?
    public var processCount: Int?
    public var memoryBytes: Double?
    public var node: String
    public var timestamp: Double?
}

public struct ErrorAnalysis: Sendable, Equatable {
    public var errorType: String?
    public var frequency: Int?
    public var node: String
    public var timestamp: Double?
}

public struct LogEntry: Sendable, Equatable {
    /// debug, info, warn, error or critical.
    public var level: String?
    /// The module that logged it.
    public var module: String?
    public var node: String
    public var timestamp: Double?
}

/// A summary of a period's logs; the Gater's LogSummary names no node: `node` is the sender's.
public struct LogSummary: Sendable, Equatable {
    /// The numeric entries of `log_counts`, by level.
    public var levelCounts: [NumericTag]
    public var errorsPerMinute: Double?
    public var totalLogs: Int?
    public var node: String
    public var timestamp: Double?
}

/// The Gater's LogFilter names no node: `node` is the sender's.
public struct LogFilter: Sendable, Equatable {
    /// level, module, pattern or node.
    public var filterType: String?
    /// include, exclude or rate_limit.
    public var action: String?
    public var enabled: Bool?
    public var node: String
    public var timestamp: Double?
}

public struct LogRotation: Sendable, Equatable {
    public var logType: String?
    public var fileBytes: Double?
    public var entries: Int?
    public var node: String
    public var timestamp: Double?
}

/// What ExESDB's `LoggingPublisher` broadcasts, unsigned: `{log_event, Map}` (no node: `node`
/// is the sender's).
public struct LogEvent: Sendable, Equatable {
    public var component: String?
    /// startup, shutdown, action, health or error.
    public var eventType: String?
    public var node: String
    public var timestamp: Double?
}
