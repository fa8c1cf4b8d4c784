import BEAMPeers
import Foundation
import Testing

extension BinaryEndToEndTests {
    /// A bad key in the config file or an unusable web config: exit status 2 with a message that
    /// names the file, the key and what is expected, before binding the port or joining the node.
    @Test(arguments: [
        Misconfiguration(
            config: "metrics:\n  max_serie: 10\n", web: nil,
            expected: ["metrics.max_serie", "unknown key", "max_series"]),
        Misconfiguration(config: "metrics:\n  ttl: soon\n", web: nil, expected: ["metrics.ttl", "soon"]),
        Misconfiguration(
            config: "log:\n  level: info\n", web: "basic_auth_users:\n  ops: plaintext-password\n",
            expected: ["web-config.yml", "basic_auth_users", "bcrypt"]),
        Misconfiguration(
            config: "log:\n  level: info\n", web: "tls_server_config:\n  cert_file: /nonexistent/server.pem\n",
            expected: ["web-config.yml", "key_file"]),
    ])
    func misconfigurationExitsTwoBeforeBinding(_ bad: Misconfiguration) async throws {
        let directory = try temporaryDirectory("e2e-misconfigured")
        let config = "\(directory)/exesdb_exporter.yml"
        try bad.config.write(toFile: config, atomically: true, encoding: .utf8)
        var arguments = ["--config.file=\(config)"]
        if let web = bad.web {
            let file = try WebConfigFile(web)
            arguments.append("--web.config.file=\(file.path)")
        }
        let publisher = try await Publisher.everyPayload()
        defer { publisher.stop() }
        let exporter = try RunningExporter(
            publisher.exporterArguments() + arguments, environment: publisher.environment)
        defer { exporter.stop() }
        #expect(try await exporter.process.waitForExit(timeout: .seconds(20)) == 2)
        let output = exporter.lines.joined(separator: "\n")
        for text in bad.expected { #expect(output.contains(text), "the error should name \(text): \(output)") }
        #expect(!output.contains("msg=listening"), "nothing may be bound: \(output)")
        #expect((try? await exporter.get("/-/healthy")) == nil)
        // The node never saw us: no pg join, no hidden node.
        try await Task.sleep(for: .milliseconds(500))
        #expect(!publisher.node.lines.contains { $0.contains("pg join") })
        #expect(!output.contains(publisher.secret) && !output.contains(publisher.cookie))
        #expect(!output.contains("plaintext-password"), "a web config's secrets are never shown")
    }
}

struct Misconfiguration: Sendable, CustomTestStringConvertible {
    let config: String
    let web: String?
    /// Texts the error message must contain.
    let expected: [String]

    var testDescription: String { web.map { "web config: \($0)" } ?? "config: \(config)" }
}
