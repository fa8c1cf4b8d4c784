import Logging
import Synchronization

/// Every log line, for checks on what is logged and what never is.
public final class LogRecorder: Sendable {
    public struct Line: Sendable {
        public let level: Logger.Level
        public let message: String
        public let metadata: [String: String]

        public var text: String { "\(level) \(message) \(metadata.sorted { $0.key < $1.key })" }
    }

    private let lines = Mutex<[Line]>([])

    public init() {}

    public var all: [Line] { lines.withLock { $0 } }
    public var text: String { all.map(\.text).joined(separator: "\n") }

    /// The lines at `level` that contain `text`, each as `message key=value ...` (keys sorted).
    public func lines(level: Logger.Level, containing text: String) -> [String] {
        all.filter { $0.level == level }.map { line in
            ([line.message] + line.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
                .joined(separator: " ")
        }.filter { $0.contains(text) }
    }

    func append(_ line: Line) { lines.withLock { $0.append(line) } }

    public func logger() -> Logger {
        Logger(label: "test") { _ in Handler(recorder: self) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            recorder.append(
                Line(
                    level: event.level, message: "\(event.message)",
                    metadata: merged.mapValues { "\($0)" }))
        }
    }
}
