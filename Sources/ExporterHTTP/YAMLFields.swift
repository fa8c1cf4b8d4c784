import Yams

/// One YAML mapping read key by key: unknown keys are refused, as exporter-toolkit's strict
/// unmarshalling does, and every error names the dotted key path and its line.
struct YAMLFields {
    let path: String
    private var entries: [String: Node] = [:]

    /// `node` must be a mapping (or null, read as empty) whose keys are all in `allowed`;
    /// a key of `unsupported` is refused with its explanation.
    init(
        _ node: Node?, path: String, allowed: [String], unsupported: [String: String] = [:]
    ) throws(WebConfigurationError) {
        self.path = path
        guard let node, !Self.isNull(node) else { return }
        guard case .mapping(let mapping) = node else {
            throw .init(
                .invalidValue, key: path.isEmpty ? "the document" : path, expected: "a mapping of keys",
                line: node.mark?.line)
        }
        for (keyNode, value) in mapping {
            let key = keyNode.scalar?.string ?? ""
            let keyPath = Self.join(path, key)
            if let reason = unsupported[key] {
                throw .init(.unsupportedKey, key: keyPath, expected: reason, line: keyNode.mark?.line)
            }
            guard allowed.contains(key) else {
                throw .init(
                    .unknownKey, key: keyPath, expected: "one of \(allowed.joined(separator: ", "))",
                    line: keyNode.mark?.line)
            }
            entries[key] = value
        }
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    static func isNull(_ node: Node) -> Bool {
        node.null != nil
    }

    func contains(_ key: String) -> Bool { entries[key].map { !Self.isNull($0) } ?? false }

    func node(_ key: String) -> Node? { entries[key].flatMap { Self.isNull($0) ? nil : $0 } }

    func line(_ key: String) -> Int? { entries[key]?.mark?.line }

    /// A scalar read as text (errors never show it).
    func string(_ key: String) throws(WebConfigurationError) -> String? {
        guard let node = node(key) else { return nil }
        guard let scalar = node.scalar else {
            throw .init(
                .invalidValue, key: Self.join(path, key), expected: "a single value, not a list or mapping",
                line: node.mark?.line)
        }
        return scalar.string
    }

    func bool(_ key: String) throws(WebConfigurationError) -> Bool? {
        guard let text = try string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            throw .init(
                .invalidValue, key: Self.join(path, key), value: text, expected: "true or false", line: line(key))
        }
    }

    func strings(_ key: String) throws(WebConfigurationError) -> [String]? {
        guard let node = node(key) else { return nil }
        guard case .sequence(let sequence) = node else {
            throw .init(.invalidValue, key: Self.join(path, key), expected: "a list", line: node.mark?.line)
        }
        var values: [String] = []
        for item in sequence {
            guard let scalar = item.scalar else {
                throw .init(
                    .invalidValue, key: Self.join(path, key), expected: "a list of names", line: item.mark?.line)
            }
            values.append(scalar.string)
        }
        return values
    }

    /// A mapping of names to text values (errors never show the values).
    func stringMap(_ key: String) throws(WebConfigurationError) -> [String: String]? {
        guard let node = node(key) else { return nil }
        guard case .mapping(let mapping) = node else {
            throw .init(
                .invalidValue, key: Self.join(path, key), expected: "a mapping of names to values",
                line: node.mark?.line)
        }
        var values: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            let name = keyNode.scalar?.string ?? ""
            guard let value = valueNode.scalar, !Self.isNull(valueNode) else {
                throw .init(
                    .invalidValue, key: Self.join(Self.join(path, key), name), expected: "a text value",
                    line: valueNode.mark?.line)
            }
            values[name] = value.string
        }
        return values
    }

    func fields(
        _ key: String, allowed: [String], unsupported: [String: String] = [:]
    ) throws(WebConfigurationError) -> YAMLFields? {
        guard let node = node(key) else { return nil }
        return try YAMLFields(node, path: Self.join(path, key), allowed: allowed, unsupported: unsupported)
    }
}
