import BEAMPeers
import ExporterHTTP
import Foundation
import MetricsTestKit
import Testing

/// TLS from the web config, checked with curl (OpenSSL) as the client: certificates made by the
/// test, each client auth type, the version bounds.
@Suite(.serialized) struct HTTPSTests {
    static let rejected = "exesdb_exporter_http_rejected_total"

    /// curl's exit status for an HTTPS request with `arguments`; 0 means a 200 with the exposition.
    static func scrape(_ running: RunningServer, _ arguments: [String]) async throws -> Int32 {
        do {
            let response = try await curl(running.url("/metrics", scheme: "https"), arguments)
            #expect(response.status == 200)
            #expect(response.text == CannedExposition.prometheusText)
            return 0
        } catch let failure as CurlFailure {
            return failure.exitCode
        }
    }

    @Test func serverCertificateFromTheWebConfig() async throws {
        let certificates = try await SharedCertificates.primary
        let other = try await SharedCertificates.stranger
        let file = try WebConfigFile(WebConfigFile.tls(certificates))
        try await withServer(CannedSources().sources(), webConfigFile: file.path) { running async throws in
            #expect(try await Self.scrape(running, ["--cacert", certificates.caCertificate]) == 0)
            // curl 60: the peer's certificate cannot be verified with the CA it was given.
            #expect(try await Self.scrape(running, ["--cacert", other.caCertificate]) == 60)
            // Plain HTTP to a TLS listener gets no HTTP answer.
            await #expect(throws: CurlFailure.self) { try await curl(running.url("/metrics")) }
        }
    }

    @Test func requireAndVerifyClientCert() async throws {
        let certificates = try await SharedCertificates.primary
        let stranger = try await SharedCertificates.stranger
        let file = try WebConfigFile(
            WebConfigFile.tls(
                certificates,
                "client_auth_type: RequireAndVerifyClientCert\nclient_ca_file: \(certificates.caCertificate)"))
        let metrics = TestMetrics()
        try await withServer(CannedSources().sources(), webConfigFile: file.path, metrics: metrics) {
            running async throws in
            let ca = ["--cacert", certificates.caCertificate]
            let own = ["--cert", certificates.clientCertificate, "--key", certificates.clientKey]
            let foreign = ["--cert", stranger.clientCertificate, "--key", stranger.clientKey]
            #expect(try await Self.scrape(running, ca + own) == 0)
            #expect(try await Self.scrape(running, ca) != 0)
            #expect(try await Self.scrape(running, ca + foreign) != 0)
            let handshakes = try metrics.expectCounter(Self.rejected, [("reason", "tls_handshake")])
            #expect(handshakes.totalValue >= 2)
        }
    }

    @Test func verifyClientCertIfGiven() async throws {
        let certificates = try await SharedCertificates.primary
        let stranger = try await SharedCertificates.stranger
        let file = try WebConfigFile(
            WebConfigFile.tls(
                certificates, "client_auth_type: VerifyClientCertIfGiven\nclient_ca_file: \(certificates.caCertificate)"
            ))
        try await withServer(CannedSources().sources(), webConfigFile: file.path) { running async throws in
            let ca = ["--cacert", certificates.caCertificate]
            #expect(try await Self.scrape(running, ca) == 0)
            #expect(
                try await Self.scrape(
                    running, ca + ["--cert", certificates.clientCertificate, "--key", certificates.clientKey])
                    == 0)
            #expect(
                try await Self.scrape(
                    running, ca + ["--cert", stranger.clientCertificate, "--key", stranger.clientKey])
                    != 0)
        }
    }

    @Test func requireAnyClientCertTakesAnyCertificateButNeedsOne() async throws {
        let certificates = try await SharedCertificates.primary
        let stranger = try await SharedCertificates.stranger
        let file = try WebConfigFile(WebConfigFile.tls(certificates, "client_auth_type: RequireAnyClientCert"))
        try await withServer(CannedSources().sources(), webConfigFile: file.path) { running async throws in
            let ca = ["--cacert", certificates.caCertificate]
            #expect(
                try await Self.scrape(
                    running, ca + ["--cert", stranger.clientCertificate, "--key", stranger.clientKey])
                    == 0)
            #expect(try await Self.scrape(running, ca) != 0)
        }
    }

    @Test func minimumAndMaximumVersions() async throws {
        let certificates = try await SharedCertificates.primary
        let ca = ["--cacert", certificates.caCertificate]
        let tls12Only = ["--tlsv1.2", "--tls-max", "1.2"]
        let tls13 = ["--tlsv1.3"]
        let strict = try WebConfigFile(WebConfigFile.tls(certificates, "min_version: TLS13"))
        try await withServer(CannedSources().sources(), webConfigFile: strict.path) { running async throws in
            #expect(try await Self.scrape(running, ca + tls13) == 0)
            // curl 35: the TLS handshake failed (no common protocol version).
            #expect(try await Self.scrape(running, ca + tls12Only) == 35)
        }
        let old = try WebConfigFile(WebConfigFile.tls(certificates, "min_version: TLS12\nmax_version: TLS12"))
        try await withServer(CannedSources().sources(), webConfigFile: old.path) { running async throws in
            #expect(try await Self.scrape(running, ca + tls12Only) == 0)
            #expect(try await Self.scrape(running, ca + tls13) == 35)
        }
    }

    @Test func configuredHeadersOnEveryResponse() async throws {
        let file = try WebConfigFile(
            """
            http_server_config:
              headers:
                X-Frame-Options: deny
                X-Content-Type-Options: nosniff
            """)
        try await withServer(CannedSources().sources(), webConfigFile: file.path) { running async throws in
            for path in ["/metrics", "/", "/-/healthy", "/missing"] {
                let response = try await curl(running.url(path))
                #expect(response.headers["x-frame-options"] == "deny", "\(path)")
                #expect(response.headers["x-content-type-options"] == "nosniff", "\(path)")
            }
        }
    }
}
