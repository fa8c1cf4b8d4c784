import BEAMPeers
import Foundation
import Testing

/// Passwords, bcrypt hashes and private keys never reach the log, whatever happens: accepted and
/// refused logins, a reload refused for a bad hash, a reload accepted.
@Suite(.serialized) struct SecretsTests {
    @Test func noSecretIsEverLogged() async throws {
        let certificates = try await SharedCertificates.primary
        let password = "correct-horse-battery"
        let hash = WebConfigFile.htpasswdHash(password, cost: 4)
        let newHash = WebConfigFile.htpasswdHash("staple-2", cost: 4)
        let badHash = "$2y$10$secretlyTooShortToBeAHash"
        let keyLine = try #require(
            try String(contentsOfFile: certificates.serverKey, encoding: .utf8).split(separator: "\n").dropFirst().first
        )
        let file = try WebConfigFile(WebConfigFile.tls(certificates) + "basic_auth_users:\n  alice: \"\(hash)\"\n")
        let log = LogRecorder()
        try await withServer(CannedSources().sources(), webConfigFile: file.path, logger: log.logger()) {
            running async throws in
            let https = running.url("/metrics", scheme: "https")
            let ca = ["--cacert", certificates.caCertificate]
            #expect(try await curl(https, ca + ["-u", "alice:\(password)"]).status == 200)
            #expect(try await curl(https, ca + ["-u", "alice:wrong-horse-guess"]).status == 401)
            #expect(try await curl(https, ca + ["-u", "mallory:\(password)"]).status == 401)
            _ = try? await curl(https, ["--cacert", try await SharedCertificates.stranger.caCertificate])

            try file.write(WebConfigFile.tls(certificates) + "basic_auth_users:\n  alice: \"\(badHash)\"\n")
            #expect(throws: (any Error).self) { try running.server.reloadWebConfig() }
            try file.write(WebConfigFile.tls(certificates) + "basic_auth_users:\n  alice: \"\(newHash)\"\n")
            try running.server.reloadWebConfig()
        }
        let text = log.text
        #expect(text.contains("listening"))
        #expect(text.contains("web configuration not reloaded"))
        #expect(text.contains("web configuration reloaded"))
        #expect(text.contains("TLS handshake failed"))
        for secret in [
            password, "wrong-horse-guess", hash, newHash, String(hash.suffix(31)), "secretlyTooShort", String(keyLine),
        ] {
            #expect(!text.contains(secret), "the log shows a secret")
        }
    }
}
