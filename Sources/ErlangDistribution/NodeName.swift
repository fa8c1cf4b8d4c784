/// A node name `alive@host`, short (`-sname`: host without dots) or long (`-name`: a fully
/// qualified host or an IP address), decided as `erl` decides it.
public struct NodeName: Hashable, Sendable, CustomStringConvertible {
    public let alive: String
    public let host: String

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case missingAt(String)
        case emptyPart(String)
        case tooLong(String)

        public var description: String {
            switch self {
            case .missingAt(let name):
                return "node name '\(name)' has no '@': write it as name@host, e.g. ex_esdb@db-1"
            case .emptyPart(let name):
                return "node name '\(name)' needs text on both sides of '@', e.g. ex_esdb@db-1"
            case .tooLong(let name):
                return "node name '\(name)' is longer than the 255 characters an atom can hold"
            }
        }
    }

    public init(alive: String, host: String) {
        self.alive = alive
        self.host = host
    }

    public init(parsing text: String) throws(ParseError) {
        guard let at = text.firstIndex(of: "@") else { throw .missingAt(text) }
        let alive = String(text[..<at])
        let host = String(text[text.index(after: at)...])
        guard !alive.isEmpty, !host.isEmpty else { throw .emptyPart(text) }
        guard text.unicodeScalars.count <= 255 else { throw .tooLong(text) }
        self.init(alive: alive, host: host)
    }

    /// Long names carry a dot (a domain or an IPv4 address) or a colon (IPv6), as with `-name`.
    public var isLongName: Bool { host.contains(".") || host.contains(":") }

    public var description: String { "\(alive)@\(host)" }
}
