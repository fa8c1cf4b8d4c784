import BEAMPeers
import ExporterHTTP
import Foundation
import Testing

/// `reloadWebConfig()`, as SIGHUP calls it: new connections get the new certificate, every
/// request the new users; established connections stay; a bad file changes nothing.
@Suite(.serialized) struct ReloadTests {
    @Test func newCertificateAndUsersWithoutDroppingConnections() async throws {
        let before = try await SharedCertificates.primary
        let after = try await SharedCertificates.stranger
        let file = try WebConfigFile(WebConfigFile.tls(before) + WebConfigFile.users(["alice": "wonderland"]))
        try await withServer(CannedSources().sources(), webConfigFile: file.path) { running async throws in
            let alice = BasicAuthTests.header("alice", "wonderland")
            let bob = BasicAuthTests.header("bob", "builder")
            try await PersistentConnection.with(port: running.port, trusting: before.caCertificate) { old in
                #expect(try await old.get("/metrics", authorization: alice).status == 200)

                try file.write(WebConfigFile.tls(after) + WebConfigFile.users(["bob": "builder"]))
                try running.server.reloadWebConfig()

                // The connection made before the reload is still open, on the old certificate;
                // the users in force are the new ones.
                let answer = try await old.get("/metrics", authorization: bob)
                #expect(answer.status == 200)
                #expect(answer.body == CannedExposition.prometheusText)
                #expect(try await old.get("/metrics", authorization: alice).status == 401)
            }
            // New connections present the new certificate only.
            let https = running.url("/metrics", scheme: "https")
            #expect(try await curl(https, ["--cacert", after.caCertificate, "-u", "bob:builder"]).status == 200)
            let oldCA = await #expect(throws: CurlFailure.self) {
                try await curl(https, ["--cacert", before.caCertificate, "-u", "bob:builder"])
            }
            #expect(oldCA?.exitCode == 60)
        }
    }

    @Test func aBadFileIsRefusedAndTheOldConfigurationStays() async throws {
        let certificates = try await SharedCertificates.primary
        let good = WebConfigFile.tls(certificates) + WebConfigFile.users(["alice": "wonderland"])
        let file = try WebConfigFile(good)
        try await withServer(CannedSources().sources(), webConfigFile: file.path) { running async throws in
            let https = running.url("/metrics", scheme: "https")
            let trusted = ["--cacert", certificates.caCertificate, "-u", "alice:wonderland"]
            for bad in [
                good + "rate_limit:\n  burst: 3\n",
                "tls_server_config:\n  cert_file: /nonexistent.pem\n  key_file: \(certificates.serverKey)\n",
                "basic_auth_users:\n  alice: plaintext\n",
                "tls_server_config: [\n",
            ] {
                try file.write(bad)
                let error = #expect(throws: WebConfigurationError.self) { try running.server.reloadWebConfig() }
                #expect(error?.file == file.path)
                #expect(try await curl(https, trusted).status == 200)
            }
            try FileManager.default.removeItem(atPath: file.path)
            #expect(throws: WebConfigurationError.self) { try running.server.reloadWebConfig() }
            #expect(try await curl(https, trusted).status == 200)
        }
    }

    @Test func reloadingCanTurnTLSOnForNewConnections() async throws {
        let certificates = try await SharedCertificates.primary
        let file = try WebConfigFile("")
        try await withServer(CannedSources().sources(), webConfigFile: file.path) { running async throws in
            #expect(try await curl(running.url("/metrics")).status == 200)
            try file.write(WebConfigFile.tls(certificates))
            try running.server.reloadWebConfig()
            let https = running.url("/metrics", scheme: "https")
            #expect(try await curl(https, ["--cacert", certificates.caCertificate]).status == 200)
        }
    }
}
