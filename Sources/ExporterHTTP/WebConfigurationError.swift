/// A web config file that cannot be used: which key, which value (unless it is a secret), and
/// what is expected instead.
public struct WebConfigurationError: Error, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        case unreadableFile
        case invalidYAML
        case unknownKey
        case unsupportedKey
        case missingKey
        case conflictingKeys
        case invalidValue
    }

    public var problem: Problem
    /// The web config file, when the configuration came from one.
    public var file: String?
    /// The dotted key path, e.g. `tls_server_config.min_version`; empty for the whole file.
    public var key: String
    /// The offending value; nil when there is none or when it is a secret.
    public var value: String?
    /// What would be accepted, in words.
    public var expected: String
    /// The line in the file, when known.
    public var line: Int?

    public init(
        _ problem: Problem, key: String, value: String? = nil, expected: String, file: String? = nil,
        line: Int? = nil
    ) {
        self.problem = problem
        self.key = key
        self.value = value
        self.expected = expected
        self.file = file
        self.line = line
    }

    public var description: String {
        var location = "invalid \(ExporterHTTPSetting.webConfigFile)"
        if let file { location += "=\(file)" }
        if let line { location += " (line \(line))" }
        return "\(location): \(statement); expected \(expected)"
    }

    private var statement: String {
        let shown = value.map { " '\($0)'" } ?? ""
        switch problem {
        case .unreadableFile: return "cannot read \(key.isEmpty ? "the file" : key)\(shown)"
        case .invalidYAML: return key.isEmpty ? "not valid YAML" : "not valid YAML at \(key)"
        case .unknownKey: return "unknown key \(key)"
        case .unsupportedKey: return "\(key) is not supported by exesdb_exporter"
        case .missingKey: return "\(key) is missing"
        case .conflictingKeys: return "\(key) conflicts with another key"
        case .invalidValue where value == nil: return "\(key) has an invalid value (not shown: it is a secret)"
        case .invalidValue: return "\(key) is\(shown)"
        }
    }

    func located(file: String?) -> Self {
        var copy = self
        copy.file = file
        return copy
    }
}
