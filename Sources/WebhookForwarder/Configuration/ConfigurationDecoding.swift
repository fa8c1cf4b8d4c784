import ExporterConfiguration

/// Decoding helpers shared by the configuration types: any key by name, the check for unknown
/// keys, Prometheus durations, and errors that name the key path, the value and what is expected.
struct ConfigurationKey: CodingKey, Hashable {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

typealias ConfigurationContainer = KeyedDecodingContainer<ConfigurationKey>

extension Decoder {
    /// The mapping at this position, after checking that it has no key outside `known`.
    func configurationMapping(known: [String]) throws -> ConfigurationContainer {
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
    func optional<T: Decodable>(_ key: String, as type: T.Type = T.self) throws -> T? {
        try decodeIfPresent(T.self, forKey: ConfigurationKey(key))
    }

    func required<T: Decodable>(_ key: String, as type: T.Type = T.self) throws -> T {
        guard contains(ConfigurationKey(key)) else {
            throw DecodingError.keyNotFound(
                ConfigurationKey(key),
                .init(codingPath: codingPath, debugDescription: "the key \"\(key)\" is required"))
        }
        return try decode(T.self, forKey: ConfigurationKey(key))
    }

    /// A Prometheus-style duration string; `minimum` excludes zero when it is positive.
    func duration(_ key: String, default value: Duration, minimum: Duration = .milliseconds(1)) throws -> Duration {
        guard let text = try optional(key, as: String.self) else { return value }
        guard let duration = PrometheusDuration.parse(text) else {
            throw invalid(key, "\"\(text)\"", expected: PrometheusDuration.expected)
        }
        guard duration >= minimum else {
            throw invalid(key, "\"\(text)\"", expected: "at least \(PrometheusDuration.format(minimum))")
        }
        return duration
    }

    func integer(_ key: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let number = try optional(key, as: Int.self) else { return value }
        guard range.contains(number) else {
            throw invalid(key, "\(number)", expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// An error at `key` saying which value was found and what was expected.
    func invalid(_ key: String, _ value: String, expected: String) -> DecodingError {
        DecodingError.dataCorrupted(
            .init(
                codingPath: codingPath + [ConfigurationKey(key)],
                debugDescription: "invalid value \(value): expected \(expected)"))
    }
}

extension DecodingError {
    /// One line naming the key path (`webhooks.endpoints[0].timeout`), then what is wrong.
    public func configurationMessage(root: String = "webhooks") -> String {
        let (path, detail): ([any CodingKey], String)
        switch self {
        case .dataCorrupted(let context): (path, detail) = (context.codingPath, context.debugDescription)
        case .keyNotFound(let key, let context):
            (path, detail) = (context.codingPath + [key], "the key \"\(key.stringValue)\" is required")
        case .typeMismatch(let type, let context):
            (path, detail) = (context.codingPath, "expected \(Self.describe(type)): \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            (path, detail) = (context.codingPath, "expected \(Self.describe(type)), found nothing")
        @unknown default: (path, detail) = ([], "\(self)")
        }
        return "\(Self.keyPath(path, root: root)): \(detail)"
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
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}
