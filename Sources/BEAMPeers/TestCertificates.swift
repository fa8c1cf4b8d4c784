import Foundation

/// A throwaway CA with a server and a client certificate for `localhost`, made with the
/// `openssl` command-line tool, for TLS tests on loopback.
public struct TestCertificates: Sendable {
    public let directory: String
    public var caCertificate: String { "\(directory)/ca.pem" }
    public var serverCertificate: String { "\(directory)/server.pem" }
    public var serverKey: String { "\(directory)/server.key" }
    public var clientCertificate: String { "\(directory)/client.pem" }
    public var clientKey: String { "\(directory)/client.key" }

    /// Makes the CA and both certificates (`openssl` runs off the pool: RSA key generation takes
    /// seconds on a loaded machine).
    public init(commonName: String = "localhost") async throws {
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent("exesdb-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try await Self.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=exesdb test CA",
            "-keyout", "\(directory)/ca.key", "-out", caCertificate,
        ])
        try await issue("server", commonName: commonName)
        try await issue("client", commonName: "exesdb_exporter test client")
    }

    private func issue(_ name: String, commonName: String) async throws {
        let extensions = "\(directory)/\(name).ext"
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: extensions, atomically: true, encoding: .utf8)
        try await Self.openssl([
            "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(commonName)",
            "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).csr",
        ])
        try await Self.openssl([
            "x509", "-req", "-in", "\(directory)/\(name).csr", "-CA", caCertificate, "-CAkey", "\(directory)/ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", extensions, "-out", "\(directory)/\(name).pem",
        ])
    }

    private static func openssl(_ arguments: [String]) async throws {
        let result = try await ErlangTools.run("openssl", arguments)
        guard result.status == 0 else { throw ErlangTools.Failure(description: "openssl failed: \(result.output)") }
    }

    /// An `-ssl_dist_optfile` for `erl -proto_dist inet_tls` that requires and verifies client
    /// certificates from this CA.
    public func erlangDistributionOptions() throws -> String {
        let path = "\(directory)/ssl_dist.conf"
        let common =
            "{certfile, \"\(serverCertificate)\"}, {keyfile, \"\(serverKey)\"}, {cacertfile, \"\(caCertificate)\"}"
        let text = """
            [{server, [\(common), {verify, verify_peer}, {fail_if_no_peer_cert, true}]},
             {client, [\(common), {verify, verify_peer}]}].

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
