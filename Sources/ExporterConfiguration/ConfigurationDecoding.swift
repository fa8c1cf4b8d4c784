import Yams

/// The config file's decoding helpers, for every section whichever module owns it: any key by
/// name, the refusal of unknown keys (as the exporter-toolkit and Prometheus refuse them: a
/// misspelt key silently ignored is a setting silently not applied), Prometheus durations, and
/// errors that name the key path, the value and what is expected.
public struct ConfigurationKey: CodingKey, Hashable {
    public let stringValue: String
    public var intValue: Int? { nil }

    public init(_ name: String) { stringValue = name }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

public typealias ConfigurationContainer = KeyedDecodingContainer<ConfigurationKey>

extension Decoder {
    /// Throws naming the first key of this mapping that `Keys` does not list.
    public func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        _ = try configurationMapping(known: Keys.allCases.map(\.stringValue))
    }

    /// The mapping at this position, after checking that it has no key outside `known`.
    public func configurationMapping(known: [String]) throws -> ConfigurationContainer {
        let container = try container(keyedBy: ConfigurationKey.self)
        let knownKeys = Set(known)
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !knownKeys.contains($0) }) {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath + [ConfigurationKey(unknown)],
                    debugDescription: "unknown key \"\(unknown)\"; expected one of: \(known.joined(separator: ", "))"))
        }
        return container
    }
}

extension ConfigurationContainer {
    public func optional<T: Decodable>(_ key: String, as type: T.Type = T.self) throws -> T? {
        try decodeIfPresent(T.self, forKey: ConfigurationKey(key))
    }

    public func required<T: Decodable>(_ key: String, as type: T.Type = T.self) throws -> T {
        guard contains(ConfigurationKey(key)) else {
            throw DecodingError.keyNotFound(
                ConfigurationKey(key),
                .init(codingPath: codingPath, debugDescription: "the key \"\(key)\" is required"))
        }
        return try decode(T.self, forKey: ConfigurationKey(key))
    }

    /// A Prometheus-style duration string; `minimum` excludes zero when it is positive.
    public func duration(
        _ key: String, default value: Duration, minimum: Duration = .milliseconds(1)
    ) throws -> Duration {
        guard let text = try optional(key, as: String.self) else { return value }
        guard let duration = PrometheusDuration.parse(text) else {
            throw invalid(key, "\"\(text)\"", expected: PrometheusDuration.expected)
        }
        guard duration >= minimum else {
            throw invalid(key, "\"\(text)\"", expected: "at least \(PrometheusDuration.format(minimum))")
        }
        return duration
    }

    public func integer(_ key: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let number = try decodeInteger(forKey: ConfigurationKey(key)) else { return value }
        guard range.contains(number) else {
            throw invalid(key, "\(number)", expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// An error at `key` saying which value was found and what was expected.
    public func invalid(_ key: String, _ value: String, expected: String) -> DecodingError {
        DecodingError.dataCorrupted(
            .init(
                codingPath: codingPath + [ConfigurationKey(key)],
                debugDescription: "invalid value \(value): expected \(expected)"))
    }
}

extension KeyedDecodingContainer {
    /// An integer: from YAML, a decimal read from the scalar's text, because Yams's own reading
    /// of an `Int` traps on a YAML 1.1 sexagesimal (`-9999:99999999999`) whose value overflows
    /// (found by fuzzing the config file); from JSON (the webhook harness's configuration), the
    /// number as it is. Nil when absent or null.
    public func decodeInteger(forKey key: Key) throws -> Int? {
        let text: String?
        do {
            text = try decodeIfPresent(String.self, forKey: key)
        } catch DecodingError.typeMismatch {
            // No text: a JSON number (decoded safely), or a list or mapping (said to be no integer).
            return try decodeIfPresent(Int.self, forKey: key)
        }
        guard let text else { return nil }
        guard let value = Int(text) else {
            throw DecodingError.typeMismatch(
                Int.self, .init(codingPath: codingPath + [key], debugDescription: "not a decimal integer"))
        }
        return value
    }
}

extension DecodingError {
    /// One line naming the key path (`webhooks.endpoints[0].timeout`), then what is wrong.
    public func configurationMessage(root: String = "webhooks") -> String {
        let (key, detail) = configurationProblem(root: root)
        return "\(key): \(detail)"
    }

    /// The key path under `root` where decoding failed, and what is wrong there.
    public func configurationProblem(root: String) -> (key: String, detail: String) {
        switch self {
        case .dataCorrupted(let context): (Self.keyPath(context.codingPath, root: root), context.debugDescription)
        case .keyNotFound(let key, let context):
            (Self.keyPath(context.codingPath + [key], root: root), "the key \"\(key.stringValue)\" is required")
        case .typeMismatch(let type, let context):
            (Self.keyPath(context.codingPath, root: root), "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            (Self.keyPath(context.codingPath, root: root), "expected \(Self.describe(type)), found nothing")
        @unknown default: (root, "\(self)")
        }
    }

    /// `root.endpoints[0].tls.ca_file`.
    static func keyPath(_ path: [any CodingKey], root: String) -> String {
        path.reduce(root) { text, key in
            if let index = key.intValue { return "\(text)[\(index)]" }
            return text.isEmpty ? key.stringValue : "\(text).\(key.stringValue)"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [String].Type: "a list of strings"
        case is [Double].Type: "a list of numbers"
        case is Node.Scalar.Type: "a single value, not a list or a mapping"
        case is Node.Mapping.Type: "a mapping (key: value)"
        case is Node.Sequence.Type: "a list"
        default: "a value of type \(type)"
        }
    }
}
