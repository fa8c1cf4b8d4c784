import Foundation
import Yams

extension WebConfiguration {
    /// Reads, parses and validates the web config file at `path` (certificates are read later,
    /// when the TLS context is made).
    public static func load(fromFile path: String) throws(WebConfigurationError) -> WebConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .init(.unreadableFile, key: "", value: path, expected: FileProblem.describe(path), file: path)
        }
        do throws(WebConfigurationError) {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            let configuration = try WebConfiguration(yaml: text, directory: directory)
            try configuration.validate()
            return configuration
        } catch {
            throw error.located(file: path)
        }
    }

    /// Parses the YAML text of a web config; relative paths are taken from `directory`.
    public init(yaml: String, directory: String) throws(WebConfigurationError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw Self.yamlError(error)
        }
        let document = try YAMLFields(
            root, path: "", allowed: ["tls_server_config", "http_server_config", "basic_auth_users"],
            unsupported: ["rate_limit": "no rate_limit key; exesdb_exporter has no rate limiter"])
        self.init(
            tlsServer: try Self.tlsServer(document, directory: directory),
            httpServer: try Self.httpServer(document),
            basicAuthUsers: try document.stringMap("basic_auth_users") ?? [:])
    }

    /// YAML errors without the source excerpt Yams adds: the line could hold a secret.
    private static func yamlError(_ error: any Error) -> WebConfigurationError {
        let expected = "a YAML mapping with tls_server_config, http_server_config and basic_auth_users"
        switch error as? YamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return .init(.invalidYAML, key: "", value: nil, expected: "\(expected) (\(problem))", line: mark.line)
        case .duplicatedKeysInMapping(let duplicates, _):
            return .init(.invalidYAML, key: duplicates.joined(separator: ", "), expected: "each key once")
        default:
            return .init(.invalidYAML, key: "", expected: expected)
        }
    }

    private static func httpServer(_ document: YAMLFields) throws(WebConfigurationError) -> HTTPServerConfiguration {
        guard let fields = try document.fields("http_server_config", allowed: ["http2", "headers"]) else {
            return .init()
        }
        return .init(http2: try fields.bool("http2") ?? true, headers: try fields.stringMap("headers") ?? [:])
    }

    private static let tlsKeys = [
        "cert", "key", "client_ca", "cert_file", "key_file", "client_ca_file", "client_auth_type", "min_version",
        "max_version", "cipher_suites", "curve_preferences", "prefer_server_cipher_suites",
    ]

    private static func tlsServer(
        _ document: YAMLFields, directory: String
    ) throws(WebConfigurationError)
        -> TLSServerConfiguration?
    {
        guard
            let fields = try document.fields(
                "tls_server_config", allowed: tlsKeys,
                unsupported: [
                    "client_allowed_sans": "no client_allowed_sans key; give the allowed clients their own CA"
                ])
        else { return nil }
        var tls = TLSServerConfiguration()
        tls.certificate = try pem(fields, file: "cert_file", inline: "cert", directory: directory)
        tls.privateKey = try pem(fields, file: "key_file", inline: "key", directory: directory)
        tls.clientCA = try pem(fields, file: "client_ca_file", inline: "client_ca", directory: directory)
        tls.clientAuthType = try clientAuthType(fields)
        tls.minVersion = try version(fields, "min_version") ?? .tls12
        tls.maxVersion = try version(fields, "max_version") ?? .tls13
        tls.cipherSuites = try fields.strings("cipher_suites") ?? []
        tls.curvePreferences = try fields.strings("curve_preferences") ?? []
        tls.preferServerCipherSuites = try fields.bool("prefer_server_cipher_suites") ?? true
        return tls
    }

    private static func pem(
        _ fields: YAMLFields, file: String, inline: String, directory: String
    )
        throws(WebConfigurationError) -> PEMSource?
    {
        let path = try fields.string(file).flatMap { $0.isEmpty ? nil : $0 }
        let text = try fields.string(inline).flatMap { $0.isEmpty ? nil : $0 }
        switch (path, text) {
        case (let path?, nil):
            return .file(path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).path)
        case (nil, let text?): return .inline(text)
        case (nil, nil): return nil
        case (.some, .some):
            throw .init(
                .conflictingKeys, key: YAMLFields.join(fields.path, inline),
                expected: "either \(inline) or \(file), not both",
                line: fields.line(inline))
        }
    }

    private static func clientAuthType(_ fields: YAMLFields) throws(WebConfigurationError) -> ClientAuthType {
        guard let name = try fields.string("client_auth_type") else { return .noClientCert }
        guard let type = ClientAuthType(name: name) else {
            throw .init(
                .invalidValue, key: "tls_server_config.client_auth_type", value: name,
                expected: "one of \(ClientAuthType.allCases.map(\.rawValue).joined(separator: ", "))",
                line: fields.line("client_auth_type"))
        }
        return type
    }

    private static func version(
        _ fields: YAMLFields, _ key: String
    ) throws(WebConfigurationError) -> TLSProtocolVersion? {
        guard let name = try fields.string(key) else { return nil }
        guard let version = TLSProtocolVersion(rawValue: name) else {
            throw .init(
                .invalidValue, key: "tls_server_config.\(key)", value: name,
                expected: "one of \(TLSProtocolVersion.allCases.map(\.rawValue).joined(separator: ", "))",
                line: fields.line(key))
        }
        return version
    }
}

/// Why a file cannot be read, in words.
enum FileProblem {
    static func describe(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return "an existing file (there is no file at that path)"
        }
        if isDirectory.boolValue { return "a file, not a directory" }
        if !FileManager.default.isReadableFile(atPath: path) {
            return "a file this process may read (permission denied)"
        }
        return "a UTF-8 text file"
    }
}
