import Foundation
import Logging

/// Writes each log record as one logfmt or JSON line to standard error. Secrets never reach a
/// logger in this exporter (their types redact them). What a peer sends does (a topic, a node
/// name, a malformed field): so every metadata value is cut at 256 bytes and the message at 1 KiB,
/// with the size it had (`…(1000221 bytes)`), and control characters are escaped in both
/// formats, so no peer sets the size of our lines or writes to an operator's terminal.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: LogFormat
    private let control: LogLevelControl
    private let write: @Sendable (String) -> Void

    public init(
        label: String, format: LogFormat, control: LogLevelControl,
        write: @escaping @Sendable (String) -> Void = LineLogHandler.standardError
    ) {
        self.label = label
        self.format = format
        self.control = control
        self.write = write
    }

    /// Set on one logger (a library's quieter copy, say), it stays with that logger; the others
    /// keep following the control, which a reload changes.
    private var ownLevel: Logger.Level?

    public var logLevel: Logger.Level {
        get { ownLevel ?? control.current }
        set { ownLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("ts", Self.timestamp()), ("level", "\(event.level)"), ("source", event.source),
            ("msg", "\(event.message)"),
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            fields.append((key, Self.capped("\(value)", at: Self.maxValueBytes)))
        }
        fields[3].1 = Self.capped(fields[3].1, at: Self.maxMessageBytes)
        write(format == .json ? Self.json(fields) : Self.logfmt(fields))
    }

    static let maxValueBytes = 256
    static let maxMessageBytes = 1024

    /// `text` cut at a character boundary within `limit` bytes, saying how long it was.
    static func capped(_ text: String, at limit: Int) -> String {
        let utf8 = text.utf8
        guard utf8.count > limit else { return text }
        var end = utf8.index(utf8.startIndex, offsetBy: limit)
        while end > utf8.startIndex, UTF8.isContinuation(utf8[end]) { end = utf8.index(before: end) }
        return String(decoding: utf8[..<end], as: UTF8.self) + "…(\(utf8.count) bytes)"
    }

    public static let standardError: @Sendable (String) -> Void = { line in StandardError.write(line) }

    static func logfmt(_ fields: [(String, String)]) -> String {
        fields.map { key, value in
            let needsQuotes =
                value.isEmpty
                || value.unicodeScalars.contains { $0 == " " || $0 == "=" || $0 == "\"" || isControl($0) }
            guard needsQuotes else { return "\(key)=\(value)" }
            return "\(key)=\(quoted(value))"
        }.joined(separator: " ")
    }

    static func json(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(quoted($0.0)):\(quoted($0.1))" }.joined(separator: ",") + "}"
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(scalar): out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// C0 and C1 controls and DEL: never written raw (ESC would reach a terminal).
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func timestamp() -> String {
        Date().formatted(
            .iso8601.year().month().day().timeZone(separator: .omitted).time(includingFractionalSeconds: true))
    }
}
