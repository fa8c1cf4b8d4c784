import BEAMPeers
import Foundation
import Logging
import Metrics
import Testing

@testable import ExporterHTTP

/// Parsing and validation of the exporter-toolkit web config: what is accepted, and for what is
/// not, an error naming the key, the value and what is expected.
@Suite struct WebConfigurationTests {
    static let hash = "$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG"

    static func parse(_ yaml: String) throws(WebConfigurationError) -> WebConfiguration {
        let configuration = try WebConfiguration(yaml: yaml, directory: "/etc/exesdb")
        try configuration.validate()
        return configuration
    }

    @Test func everyKeyOfTheFormatIsRead() throws {
        let configuration = try Self.parse(
            """
            tls_server_config:
              cert_file: server.pem
              key_file: /keys/server.key
              client_ca_file: ca/clients.pem
              client_auth_type: RequireAndVerifyClientCert
              min_version: TLS13
              max_version: TLS13
              cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]
              curve_preferences: [X25519, CurveP256]
              prefer_server_cipher_suites: false
            http_server_config:
              http2: false
              headers:
                X-Frame-Options: deny
                Strict-Transport-Security: max-age=31536000
            basic_auth_users:
              alice: "\(Self.hash)"
            """)
        let tls = try #require(configuration.tlsServer)
        #expect(tls.certificate == .file("/etc/exesdb/server.pem"))
        #expect(tls.privateKey == .file("/keys/server.key"))
        #expect(tls.clientCA == .file("/etc/exesdb/ca/clients.pem"))
        #expect(tls.clientAuthType == .requireAndVerifyClientCert)
        #expect(tls.minVersion == .tls13)
        #expect(tls.maxVersion == .tls13)
        #expect(tls.cipherSuites == ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"])
        #expect(tls.curvePreferences == ["X25519", "CurveP256"])
        #expect(!tls.preferServerCipherSuites)
        #expect(!configuration.httpServer.http2)
        #expect(
            configuration.httpServer.headers == [
                "X-Frame-Options": "deny", "Strict-Transport-Security": "max-age=31536000",
            ])
        #expect(configuration.basicAuthUsers == ["alice": Self.hash])
    }

    @Test(arguments: ["", "---\n", "# nothing yet\n", "tls_server_config:\nbasic_auth_users:\n"])
    func anEmptyFileMeansPlainHTTPWithoutAuthentication(yaml: String) throws {
        #expect(try Self.parse(yaml) == WebConfiguration())
    }

    @Test func defaultsAreExporterToolkits() throws {
        let tls = try #require(try Self.parse("tls_server_config:\n  cert_file: a\n  key_file: b\n").tlsServer)
        #expect(tls.clientAuthType == .noClientCert)
        #expect(tls.minVersion == .tls12)
        #expect(tls.maxVersion == .tls13)
        #expect(
            try Self.parse("tls_server_config:\n  cert: x\n  key: y\n  client_auth_type: RequireClientCert\n")
                .tlsServer?.clientAuthType == .requireAnyClientCert)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let yaml: String
        let problem: WebConfigurationError.Problem
        let key: String
        let value: String?
        let expected: String
        var testDescription: String { "\(problem) \(key)" }
    }

    static let tlsHead = "tls_server_config:\n  cert_file: a.pem\n  key_file: a.key\n"

    static let refusals: [Refusal] = [
        .init(
            yaml: tlsHead + "  min_versoin: TLS12\n", problem: .unknownKey, key: "tls_server_config.min_versoin",
            value: nil, expected: "one of cert, key, client_ca, cert_file"),
        .init(
            yaml: "basic_auth:\n  a: b\n", problem: .unknownKey, key: "basic_auth", value: nil,
            expected: "basic_auth_users"),
        .init(
            yaml: "rate_limit:\n  interval: 1s\n", problem: .unsupportedKey, key: "rate_limit", value: nil,
            expected: "no rate limiter"),
        .init(
            yaml: tlsHead + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n"
                + "  client_allowed_sans: [a]\n",
            problem: .unsupportedKey, key: "tls_server_config.client_allowed_sans", value: nil, expected: "own CA"),
        .init(
            yaml: tlsHead + "  min_version: TLS9\n", problem: .invalidValue, key: "tls_server_config.min_version",
            value: "TLS9", expected: "one of TLS10, TLS11, TLS12, TLS13"),
        .init(
            yaml: tlsHead + "  client_auth_type: Sometimes\n", problem: .invalidValue,
            key: "tls_server_config.client_auth_type", value: "Sometimes", expected: "RequireAndVerifyClientCert"),
        .init(
            yaml: "tls_server_config:\n  key_file: a.key\n", problem: .missingKey, key: "tls_server_config.cert_file",
            value: nil, expected: "server certificate"),
        .init(
            yaml: "tls_server_config:\n  cert_file: a.pem\n", problem: .missingKey, key: "tls_server_config.key_file",
            value: nil, expected: "private key"),
        .init(
            yaml: tlsHead + "  cert: inline\n", problem: .conflictingKeys, key: "tls_server_config.cert", value: nil,
            expected: "either cert or cert_file, not both"),
        .init(
            yaml: tlsHead + "  client_ca_file: ca.pem\n", problem: .conflictingKeys,
            key: "tls_server_config.client_ca_file", value: nil, expected: "client_auth_type"),
        .init(
            yaml: tlsHead + "  client_auth_type: RequireAndVerifyClientCert\n", problem: .missingKey,
            key: "tls_server_config.client_ca_file", value: nil, expected: "the CA that signs client certificates"),
        .init(
            yaml: tlsHead + "  min_version: TLS13\n  max_version: TLS12\n", problem: .conflictingKeys,
            key: "tls_server_config.min_version", value: "TLS13", expected: "at most max_version (TLS12)"),
        .init(
            yaml: tlsHead + "  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n", problem: .invalidValue,
            key: "tls_server_config.cipher_suites", value: "TLS_RSA_WITH_RC4_128_SHA",
            expected: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        .init(
            yaml: tlsHead + "  curve_preferences: [P-256]\n", problem: .invalidValue,
            key: "tls_server_config.curve_preferences", value: "P-256", expected: "CurveP256"),
        .init(
            yaml: tlsHead + "  cipher_suites: TLS_AES_128_GCM_SHA256\n", problem: .invalidValue,
            key: "tls_server_config.cipher_suites", value: nil, expected: "a list"),
        .init(
            yaml: "http_server_config:\n  headers:\n    X-Frame-Options: allow\n", problem: .invalidValue,
            key: "http_server_config.headers.X-Frame-Options", value: "allow", expected: "one of deny, sameorigin"),
        .init(
            yaml: "http_server_config:\n  headers:\n    X-Custom: 1\n", problem: .unknownKey,
            key: "http_server_config.headers.X-Custom", value: nil, expected: "Content-Security-Policy"),
        .init(
            yaml: "http_server_config:\n  http2: maybe\n", problem: .invalidValue, key: "http_server_config.http2",
            value: "maybe", expected: "true or false"),
        .init(
            yaml: "basic_auth_users:\n  \"a:b\": \"\(hash)\"\n", problem: .invalidValue, key: "basic_auth_users.a:b",
            value: "a:b", expected: "without ':'"),
        .init(
            yaml: "tls_server_config: [a, b]\n", problem: .invalidValue, key: "tls_server_config", value: nil,
            expected: "a mapping"),
        .init(yaml: "- a\n- b\n", problem: .invalidValue, key: "the document", value: nil, expected: "a mapping"),
        .init(
            yaml: "tls_server_config:\n  cert_file: [unclosed\n", problem: .invalidYAML, key: "", value: nil,
            expected: "a YAML mapping"),
        .init(
            yaml: "basic_auth_users: {}\nbasic_auth_users: {}\n", problem: .invalidYAML, key: "basic_auth_users",
            value: nil, expected: "each key once"),
    ]

    @Test(arguments: refusals)
    func refused(_ refusal: Refusal) {
        let error = #expect(throws: WebConfigurationError.self) { try Self.parse(refusal.yaml) }
        #expect(error?.problem == refusal.problem)
        #expect(error?.key == refusal.key)
        #expect(error?.value == refusal.value)
        #expect(error?.expected.contains(refusal.expected) == true, "\(error?.expected ?? "")")
        #expect(refusal.key.isEmpty || error?.description.contains(refusal.key) == true)
    }

    @Test func aBadHashIsRefusedWithoutShowingIt() {
        let secret = "$2y$10$tooShortToBeAHash"
        let error = #expect(throws: WebConfigurationError.self) {
            try Self.parse("basic_auth_users:\n  alice: \"\(secret)\"\n")
        }
        #expect(error?.key == "basic_auth_users.alice")
        #expect(error?.value == nil)
        let description = error?.description ?? ""
        #expect(description.contains("not shown: it is a secret"))
        #expect(description.contains("htpasswd"))
        #expect(!description.contains("tooShort"))
    }

    @Test func yamlErrorsGiveTheLineButNeverItsText() {
        let secret = "$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG"
        let error = #expect(throws: WebConfigurationError.self) {
            try Self.parse("basic_auth_users:\n  alice: \"\(secret)\n    bob: [\n")
        }
        #expect(error?.problem == .invalidYAML)
        #expect(error?.line != nil)
        let description = error?.description ?? secret
        #expect(!description.contains("X0h1gDsP"))
    }

    @Test func theFileIsNamedAndRelativePathsAreItsDirectorys() throws {
        let file = try WebConfigFile("tls_server_config:\n  cert_file: server.pem\n  key_file: keys/server.key\n")
        let directory = URL(fileURLWithPath: file.path).deletingLastPathComponent().path
        let configuration = try WebConfiguration.load(fromFile: file.path)
        #expect(configuration.tlsServer?.certificate == .file("\(directory)/server.pem"))
        #expect(configuration.tlsServer?.privateKey == .file("\(directory)/keys/server.key"))

        try file.write("tls_server_config:\n  cert_file: a\n  key_file: b\n  max_version: TLS14\n")
        let error = #expect(throws: WebConfigurationError.self) { try WebConfiguration.load(fromFile: file.path) }
        #expect(error?.file == file.path)
        #expect(error?.line == 4)
        #expect(
            error?.description
                == "invalid \(ExporterHTTPSetting.webConfigFile)=\(file.path) (line 4): tls_server_config.max_version is 'TLS14'; "
                + "expected one of TLS10, TLS11, TLS12, TLS13")
    }

    @Test func aMissingFileIsNamed() {
        let error = #expect(throws: WebConfigurationError.self) {
            try WebConfiguration.load(fromFile: "/nonexistent/web.yml")
        }
        #expect(error?.problem == .unreadableFile)
        #expect(error?.description.contains("/nonexistent/web.yml") == true)
        #expect(error?.expected.contains("no file at that path") == true)
    }
}

/// What the server checks when it starts: every certificate and key is read, so that a bad file
/// stops the exporter before it binds anything.
@Suite struct WebConfigurationStartupTests {
    static func start(_ yaml: String) throws -> ExporterHTTPServer {
        let file = try WebConfigFile(yaml)
        return try ExporterHTTPServer(
            configuration: .init(listenAddresses: ["127.0.0.1:0"], webConfigFile: file.path),
            sources: CannedSources().sources(), logger: Logger(label: "test"), metrics: NOOPMetricsHandler.instance)
    }

    static func startupError(_ yaml: String) -> WebConfigurationError? {
        #expect(throws: WebConfigurationError.self) { try start(yaml) }
    }

    @Test func certificatesAndKeysAreReadAtStartup() async throws {
        let certificates = try await SharedCertificates.primary
        _ = try Self.start(WebConfigFile.tls(certificates))

        let missing = Self.startupError(
            "tls_server_config:\n  cert_file: /nonexistent.pem\n  key_file: \(certificates.serverKey)\n")
        #expect(missing?.problem == .unreadableFile)
        #expect(missing?.key == "tls_server_config.cert_file")
        #expect(missing?.value == "/nonexistent.pem")

        let notPEM = Self.startupError(
            "tls_server_config:\n  cert_file: \(certificates.serverKey)\n  key_file: \(certificates.serverKey)\n")
        #expect(notPEM?.key == "tls_server_config.cert_file")
        #expect(notPEM?.expected.contains("PEM certificates") == true)

        let otherKey = Self.startupError(
            "tls_server_config:\n  cert_file: \(certificates.serverCertificate)\n  key_file: \(certificates.clientKey)\n"
        )
        #expect(otherKey?.key == "tls_server_config.key_file")
        #expect(otherKey?.expected.contains("private key of the certificate") == true)

        let badCA = Self.startupError(
            WebConfigFile.tls(
                certificates, "client_auth_type: RequireAndVerifyClientCert\nclient_ca_file: \(certificates.serverKey)")
        )
        #expect(badCA?.key == "tls_server_config.client_ca_file")
    }

    @Test func anInlineKeyNeverAppearsInErrors() async throws {
        let certificates = try await SharedCertificates.primary
        let key = try String(contentsOfFile: certificates.clientKey, encoding: .utf8)
        let indented = key.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n")
        let corrupted = indented.replacingOccurrences(of: "A", with: "B")
        let error = Self.startupError(
            "tls_server_config:\n  cert_file: \(certificates.serverCertificate)\n  key: |\n\(corrupted)\n")
        #expect(error?.key == "tls_server_config.key")
        let description = error?.description ?? ""
        #expect(!description.contains(String(corrupted.split(separator: "\n")[1].dropFirst(4).prefix(20))))
    }

    @Test func inlinePEMWorks() async throws {
        let certificates = try await SharedCertificates.primary
        func block(_ path: String) throws -> String {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { "    \($0)" }
                .joined(separator: "\n")
        }
        _ = try Self.start(
            """
            tls_server_config:
              cert: |
            \(try block(certificates.serverCertificate))
              key: |
            \(try block(certificates.serverKey))
              client_auth_type: RequireAndVerifyClientCert
              client_ca: |
            \(try block(certificates.caCertificate))
            """)
    }
}
