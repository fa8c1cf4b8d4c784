import Foundation
import Yams

/// The YAML config file (`--config.file`), read and checked as a whole before anything starts.
public struct ConfigFile: Sendable {
    public let path: String
    public let settings: ExporterFileSettings
    /// The YAML text, composed again for `section` (Yams nodes are not Sendable).
    private let text: String

    /// Reads and decodes the file; every failure names the file, the key path and what is expected.
    public static func load(path: String) throws(ConfigFileError) -> ConfigFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .cannotRead(path: path)
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    public static func parse(_ text: String, path: String) throws(ConfigFileError) -> ConfigFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw .syntax(path: path, message: syntaxProblem(error, in: text))
        }
        guard let root else { return ConfigFile(path: path, settings: ExporterFileSettings(), text: text) }
        guard root.mapping != nil else {
            throw .invalid(path: path, key: "", message: "expected a mapping of sections (erlang:, pubsub:, ...)")
        }
        return ConfigFile(
            path: path, settings: try decode(ExporterFileSettings.self, from: root, path: path), text: text)
    }

    /// What the YAML parser found wrong and where, without the excerpt of the file Yams quotes:
    /// the line could hold a token (a webhook header, a URL). libyaml's problems are fixed texts.
    static func syntaxProblem(_ error: any Error, in text: String) -> String {
        func at(_ mark: Mark) -> String { "line \(mark.line), column \(mark.column)" }
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text), from \(at($0.mark)))" } ?? ""
            return "\(problem) at \(at(mark))\(during)"
        case .reader(let problem, let offset, _, _):
            guard let offset else { return problem }
            let before = text.utf8.prefix(offset)
            let line = before.count { $0 == UInt8(ascii: "\n") } + 1
            let column = before.reversed().prefix { $0 != UInt8(ascii: "\n") }.count + 1
            return "\(problem) at line \(line), column \(column) (byte \(offset))"
        case .duplicatedKeysInMapping(_, let context):
            return "a key appears twice in the mapping that starts at \(at(context.mark))"
        default:
            return "the YAML parser gave no position; check the file's indentation and quoting"
        }
    }

    /// Decodes the section under `key` (e.g. `webhooks`) with its owner's type; nil when absent.
    /// Errors carry the full key path, as for the rest of the file.
    public func section<Section: Decodable>(_ key: String, as type: Section.Type) throws(ConfigFileError) -> Section? {
        guard let root = try? Yams.compose(yaml: text), let node = root.mapping?[key] else { return nil }
        return try Self.decode(type, from: node, path: path, prefix: [key])
    }

    static func decode<Value: Decodable>(
        _ type: Value.Type, from node: Node, path: String, prefix: [String] = []
    )
        throws(ConfigFileError) -> Value
    {
        do {
            return try YAMLDecoder().decode(type, from: node)
        } catch let error as DecodingError {
            throw ConfigFileError(decoding: error, path: path, prefix: prefix)
        } catch {
            throw .invalid(path: path, key: prefix.joined(separator: "."), message: "\(error)")
        }
    }
}

/// What is wrong with the config file, and where.
public enum ConfigFileError: Error, Equatable, CustomStringConvertible {
    case cannotRead(path: String)
    case syntax(path: String, message: String)
    case invalid(path: String, key: String, message: String)

    public var description: String {
        switch self {
        case .cannotRead(let path):
            "config file \(path): cannot read it (check \(ConfigFileSetting.path) and the file's permissions)"
        case .syntax(let path, let message):
            "config file \(path): not valid YAML: \(message)"
        case .invalid(let path, let key, let message):
            "config file \(path): \(key.isEmpty ? "" : key + ": ")\(message)"
        }
    }

    init(decoding error: DecodingError, path: String, prefix: [String]) {
        let (key, message) = error.configurationProblem(root: prefix.joined(separator: "."))
        self = .invalid(path: path, key: key, message: message)
    }
}
