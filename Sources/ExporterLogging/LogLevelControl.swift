import Logging
import Synchronization

/// The level every handler reads, so a config reload changes it for all loggers at once. Read on
/// every log call (a debug line's level check is on the ingest path), so it is an atomic, not a
/// lock that threads would contend for.
public final class LogLevelControl: Sendable {
    private let level: Atomic<UInt8>

    public init(_ level: Logger.Level) { self.level = Atomic(Self.code(level)) }

    public var current: Logger.Level {
        get { Self.levels[Int(level.load(ordering: .relaxed))] }
        set { level.store(Self.code(newValue), ordering: .relaxed) }
    }

    private static let levels = Logger.Level.allCases

    private static func code(_ level: Logger.Level) -> UInt8 {
        UInt8(levels.firstIndex(of: level) ?? 0)
    }
}
