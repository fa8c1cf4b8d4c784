import BEAMPeers
import Foundation
import Yams

/// The repository's shipped files and the real tools that check them.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The debug build of the exporter, as `swift build --build-tests` leaves it.
    static let exporterBinary = path(".build/debug/exesdb_exporter")

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    static func files(in relative: String, ending suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path(relative)).filter { $0.hasSuffix(suffix) }.sorted()
            .map { "\(relative)/\($0)" }
    }

    /// Every YAML document of a file, as Yams loads them (dictionaries, arrays, scalars).
    static func yamlDocuments(_ relative: String) throws -> [Any] {
        try yamlDocuments(inline: try text(relative))
    }

    static func yamlDocuments(inline text: String) throws -> [Any] {
        // The sequence keeps a parse error aside instead of throwing it: check it at the end.
        var sequence = try Yams.load_all(yaml: text)
        var documents: [Any] = []
        while let document = sequence.next() { documents.append(document) }
        if let error = sequence.error { throw error }
        return documents
    }

    static func yaml(_ relative: String) throws -> [String: Any] {
        guard let document = try yamlDocuments(relative).first as? [String: Any] else {
            throw ErlangTools.Failure(description: "\(relative) is not a YAML mapping")
        }
        return document
    }

    static func json(_ relative: String) throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent(relative))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ErlangTools.Failure(description: "\(relative) is not a JSON object")
        }
        return object
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory(_ prefix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// External tools found on PATH or in /usr/bin, with a clear failure when missing.
enum Tool {
    static func locate(_ name: String, package: String) throws -> String {
        if name.hasPrefix("/") {
            guard FileManager.default.isExecutableFile(atPath: name) else {
                throw ErlangTools.Failure(description: "\(name) is missing: \(package)")
            }
            return name
        }
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in directories + ["/usr/bin", "/usr/sbin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ErlangTools.Failure(
            description:
                "\(name) not found on PATH or in /usr/bin: install Debian's \(package) (scripts/install-deps.sh test)")
    }

    /// Runs `name` to completion (off the cooperative pool): its exit status and combined output.
    static func run(
        _ name: String, package: String, _ arguments: [String], environment: [String: String] = [:]
    ) async throws -> (status: Int32, output: String) {
        try await ErlangTools.run(try locate(name, package: package), arguments, environment: environment)
    }
}

/// Every `--flag.name` token in a text (the exporter's flags all have a dot).
func exporterFlags(in text: String) -> Set<String> {
    let pattern = /--(?:no-)?[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+/
    var flags = Set(text.matches(of: pattern).map { String($0.output) })
    // --help writes a switch as kingpin does, `--[no-]cluster.discover`: both spellings exist.
    for match in text.matches(of: /--\[no-\]([a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+)/) {
        flags.formUnion(["--\(match.output.1)", "--no-\(match.output.1)"])
    }
    return flags
}
