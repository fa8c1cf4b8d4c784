import BEAMPeers
import ExporterApp
import Foundation
import HummingbirdBcrypt
import Testing

/// Made once (RSA key generation is slow on a loaded machine) and off Swift's cooperative pool.
enum Certificates {
    private static let task = Task { try await TestCertificates() }
    static var shared: TestCertificates { get async throws { try await task.value } }
}

/// An exporter-toolkit web config file, rewritable for reload tests.
struct WebConfigFile {
    let path: String

    init(_ yaml: String) throws {
        path = "\(try temporaryDirectory("e2e-web"))/web-config.yml"
        try write(yaml)
    }

    func write(_ yaml: String) throws { try yaml.write(toFile: path, atomically: true, encoding: .utf8) }

    static func tls(_ certificates: TestCertificates) -> String {
        "tls_server_config:\n  cert_file: \(certificates.serverCertificate)\n  key_file: \(certificates.serverKey)\n"
    }

    /// `basic_auth_users` with bcrypt hashes at the cheapest cost, as htpasswd writes them (`$2y$`).
    static func users(_ passwords: [String: String]) -> String {
        "basic_auth_users:\n"
            + passwords.sorted { $0.key < $1.key }.map { user, password in
                "  \(user): \"$2y$\(Bcrypt.hash(password, cost: 4).dropFirst(4))\"\n"
            }.joined()
    }
}

extension BinaryEndToEndTests {
    /// Prometheus scrapes the binary through TLS and basic auth configured by --web.config.file,
    /// with its own tls_config (ca_file) and basic_auth; a wrong password gets 401 and is counted.
    @Test func prometheusScrapesThroughTLSAndBasicAuth() async throws {
        let certificates = try await Certificates.shared
        let web = try WebConfigFile(WebConfigFile.tls(certificates) + WebConfigFile.users(["prometheus": "s3cret"]))
        let publisher = try await Publisher.everyPayload()
        defer { publisher.stop() }
        let receiver = try await WebhookReceiver.start()
        let configFile = try webhookConfigFile(url: receiver.url)
        let exporter = try await RunningExporter.joining(
            publisher, ["--web.config.file=\(web.path)", "--config.file=\(configFile)"])
        defer { exporter.stop() }
        let jobs: [PrometheusServer.ScrapeJob] = [
            .init(
                name: "secured", target: exporter.target, scheme: "https", caFile: certificates.caCertificate,
                basicAuth: ("prometheus", "s3cret")),
            .init(
                name: "wrong_password", target: exporter.target, scheme: "https", caFile: certificates.caCertificate,
                basicAuth: ("prometheus", "guess")),
        ]
        let prometheus = try await PrometheusServer.start(
            configuration: PrometheusServer.configuration(jobs: jobs), timeout: .seconds(60))
        defer { prometheus.stop() }

        let checks = QueryExpectations(prometheus)
        await checks.expect("up", #"{job="secured"}"#, equals: 1)
        await checks.expect("up", #"{job="wrong_password"}"#, equals: 0)
        // Every family of the catalogue with the fixture's values, as over plain HTTP (only the
        // secured job has any samples).
        try await prometheus.waitForQuery("exesdb_alert_notifications_total", timeout: .seconds(60)) { !$0.isEmpty }
        await expectMetricsBus(checks)
        await expectHealthBus(checks)
        await expectAlertsBus(checks)
        await expectSixBuses(checks)
        await expectExporterFamilies(checks, publisher: publisher, refusedScrapes: true)
        await expectWebhookFamilies(checks)
        let unchecked = Set(MetricCatalogue.startFamilies().map(\.name)).subtracting(checks.covered).subtracting(["up"])
            .sorted()
        #expect(unchecked.isEmpty, "catalogue families this test does not check: \(unchecked)")
        await receiver.stop()
        let refused = try await prometheus.waitForTargets(timeout: .seconds(30)) { targets in
            targets.contains { $0.job == "wrong_password" && $0.lastError.contains("401") }
        }
        #expect(refused.contains { $0.job == "secured" && $0.health == "up" })
        await checks.expect(
            "exesdb_exporter_http_rejected_total",
            #"exesdb_exporter_http_rejected_total{job="secured",reason="unauthorized"}"#
        ) { samples in
            samples.count == 1 && samples[0].value >= 1
        }

        prometheus.stop()  // Its wrong_password job would add to the count read below.

        // curl, trusting only the test CA: a wrong password and no password get 401, the right one 200.
        let url = "https://localhost:\(exporter.port)/metrics"
        let trust = ["--cacert", certificates.caCertificate, "--resolve", "localhost:\(exporter.port):127.0.0.1"]
        let before = try await unauthorizedCount(url, trust)
        #expect(try await HTTPAnswer.fetch(url, trust + ["-u", "prometheus:guess"]).status == 401)
        #expect(try await HTTPAnswer.fetch(url, trust).status == 401)
        #expect(try await HTTPAnswer.fetch(url, trust + ["-u", "nobody:s3cret"]).status == 401)
        #expect(try await unauthorizedCount(url, trust) == before + 3)
        // Plain HTTP to the TLS port is no way around it.
        #expect((try? await HTTPAnswer.fetch("http://\(exporter.target)/metrics"))?.status != 200)
        let leaks = exporter.lines.filter { $0.contains("s3cret") || $0.contains(publisher.secret) }
        #expect(leaks.isEmpty, "secrets must never be logged: \(leaks)")
    }

    /// `exesdb_exporter_http_rejected_total{reason="unauthorized"}` read with the right password.
    func unauthorizedCount(_ url: String, _ trust: [String]) async throws -> Double {
        let answer = try await HTTPAnswer.fetch(url, trust + ["-u", "prometheus:s3cret"])
        #expect(answer.status == 200)
        let rejected = Sample.parse(answer.body).named("exesdb_exporter_http_rejected_total")
        return rejected.first { $0.labels["reason"] == "unauthorized" }?.value ?? 0
    }
}
