import BEAMPeers
import ExporterHTTP
import MetricsTestKit
import Testing

/// A real Prometheus (Debian's 2.42) scrapes the server through TLS and basic auth configured by
/// a web config file, with its own `tls_config` and `basic_auth`; its HTTP API shows what arrived.
@Suite(.serialized) struct PrometheusScrapeTests {
    @Test func prometheusScrapesThroughTLSAndBasicAuth() async throws {
        let certificates = try await SharedCertificates.primary
        let file = try WebConfigFile(
            WebConfigFile.tls(certificates) + WebConfigFile.users(["prometheus": "s3cret"], cost: 4))
        let metrics = TestMetrics()
        try await withServer(CannedSources().sources(), webConfigFile: file.path, metrics: metrics) {
            running async throws in
            let target = "127.0.0.1:\(running.port)"
            let configuration = PrometheusServer.configuration(jobs: [
                .init(
                    name: "exesdb", target: target, scheme: "https", caFile: certificates.caCertificate,
                    basicAuth: ("prometheus", "s3cret")),
                .init(
                    name: "wrong_password", target: target, scheme: "https", caFile: certificates.caCertificate,
                    basicAuth: ("prometheus", "guess")),
            ])
            let prometheus = try await PrometheusServer.start(configuration: configuration, timeout: .seconds(60))
            defer { prometheus.stop() }

            try await prometheus.waitForQuery("up{job=\"exesdb\"}", timeout: .seconds(60)) { $0.first?.value == 1 }
            try await prometheus.waitForQuery("exesdb_alert_acks_total{job=\"exesdb\"}", timeout: .seconds(60)) {
                $0.first?.value == 42
            }
            let load = try await prometheus.query("exesdb_node_load_average{job=\"exesdb\"}")
            #expect(load.map(\.value) == [1.5])
            #expect(load.first?.labels["node"] == "ex_esdb@host-1")

            try await prometheus.waitForQuery("up{job=\"wrong_password\"}", timeout: .seconds(60)) {
                $0.first?.value == 0
            }
            let refused = try await prometheus.waitForTargets(timeout: .seconds(60)) { targets in
                // Waits through scrapes that time out (1 s, the interval) on a loaded machine.
                targets.contains { $0.job == "wrong_password" && $0.lastError.contains("401") }
            }
            let lastError = refused.first { $0.job == "wrong_password" }?.lastError ?? ""
            #expect(lastError.contains("401"), "\(lastError)")

            // Prometheus 2.42 asks for OpenMetrics first.
            let renders = try metrics.expectTimer(
                "exesdb_exporter_scrape_duration_seconds", [("format", "openmetrics")])
            #expect(!renders.values.isEmpty)
        }
    }
}
