/// A duration in the config file, in Prometheus's grammar (`PrometheusDuration`): `500ms`, `30s`,
/// `5m`, `1h30m`, `7d`, or `0`. A bare number is refused, as Prometheus refuses it: `ttl: 300`
/// could mean seconds or milliseconds.
public struct ConfigDuration: Sendable, Equatable, Decodable, CustomStringConvertible {
    public var duration: Duration

    public init(_ duration: Duration) { self.duration = duration }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = Self.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected \(PrometheusDuration.expected), got \"\(text)\"")
        }
        duration = parsed
    }

    /// Parses `1h30m`-style text; nil when it is not one.
    public static func parse(_ text: String) -> Duration? { PrometheusDuration.parse(text) }

    public var description: String { PrometheusDuration.format(duration) }
}
