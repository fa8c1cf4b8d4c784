import BEAMPeers
import Foundation

/// A real Prometheus (Debian's `prometheus`) with the shipped rules and a real Alertmanager
/// (`prometheus-alertmanager`) with the shipped example config, on free loopback ports, scraping
/// and evaluating every second. Stopped and its files removed by `stop()`.
final class PrometheusStack: Sendable {
    let directory: String
    let prometheusPort = ErlangTools.freePort()
    let alertmanagerPort = ErlangTools.freePort()
    private let prometheus: BackgroundProcess
    private let alertmanager: BackgroundProcess

    /// `target` is the exporter's host:port, scraped as job `exesdb_exporter` with the target label
    /// `cluster="demo"`, as a Prometheus of several clusters labels each (the dashboards' `cluster`
    /// variable lists it).
    init(target: String) async throws {
        directory = try Repository.temporaryDirectory("prometheus-stack")
        alertmanager = try BackgroundProcess(
            try Tool.locate("prometheus-alertmanager", package: "prometheus-alertmanager"),
            [
                "--config.file=\(Repository.path("deploy/alertmanager/alertmanager.yml"))",
                "--storage.path=\(directory)/alertmanager", "--web.listen-address=127.0.0.1:\(alertmanagerPort)",
                "--cluster.listen-address=",
            ])
        let configuration = """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            rule_files: [\(Repository.path("alerts/recording_rules.yml")), \(Repository.path("alerts/alerting_rules.yml"))]
            alerting:
              alertmanagers: [{static_configs: [{targets: ["127.0.0.1:\(alertmanagerPort)"]}]}]
            scrape_configs:
              - job_name: exesdb_exporter
                static_configs: [{targets: ["\(target)"], labels: {cluster: demo}}]

            """
        try configuration.write(toFile: "\(directory)/prometheus.yml", atomically: true, encoding: .utf8)
        prometheus = try BackgroundProcess(
            try Tool.locate("prometheus", package: "prometheus"),
            [
                "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
                "--web.listen-address=127.0.0.1:\(prometheusPort)",
            ])
        try await waitUntilReady("http://127.0.0.1:\(prometheusPort)/-/ready", prometheus)
        try await waitUntilReady("http://127.0.0.1:\(alertmanagerPort)/-/ready", alertmanager)
    }

    private func waitUntilReady(_ url: String, _ process: BackgroundProcess) async throws {
        let ready = try await poll(timeout: .seconds(30), every: .milliseconds(100)) {
            (try? await Self.get(url)) != nil ? true : nil
        }
        if ready != nil { return }
        throw ErlangTools.Failure(
            description: "\(url) not ready in 30 s:\n\(process.lines.suffix(20).joined(separator: "\n"))")
    }

    /// The body of a GET, or an error for a status other than 2xx.
    static func get(_ url: String, query: [String: String] = [:]) async throws -> Data {
        let parameters = query.flatMap { ["--data-urlencode", "\($0.key)=\($0.value)"] }
        let result = try await Tool.run(
            "curl", package: "curl", ["-sf", "--max-time", "10", "--get"] + parameters + [url])
        guard result.status == 0 else {
            throw ErlangTools.Failure(description: "GET \(url): curl status \(result.status)")
        }
        return Data(result.output.utf8)
    }

    static func json(_ data: Data) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// The series an instant query returns.
    func query(_ expression: String) async throws -> [[String: Any]] {
        let body = try Self.json(
            await Self.get("http://127.0.0.1:\(prometheusPort)/api/v1/query", query: ["query": expression]))
        let data = body["data"] as? [String: Any]
        return data?["result"] as? [[String: Any]] ?? []
    }

    /// The values of `label` on the series `match` selects (the API Grafana's label_values uses).
    func labelValues(_ label: String, match: String) async throws -> [String] {
        let body = try Self.json(
            await Self.get("http://127.0.0.1:\(prometheusPort)/api/v1/label/\(label)/values", query: ["match[]": match])
        )
        return body["data"] as? [String] ?? []
    }

    /// The rule groups Prometheus loaded, by name, with their rule names.
    func ruleGroups() async throws -> [String: [String]] {
        let body = try Self.json(await Self.get("http://127.0.0.1:\(prometheusPort)/api/v1/rules"))
        let groups = (body["data"] as? [String: Any])?["groups"] as? [[String: Any]] ?? []
        return Dictionary(
            groups.map { group in
                (
                    group["name"] as? String ?? "",
                    (group["rules"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                )
            }
        ) { first, _ in first }
    }

    /// The Alertmanagers Prometheus sends to.
    func activeAlertmanagers() async throws -> [String] {
        let body = try Self.json(await Self.get("http://127.0.0.1:\(prometheusPort)/api/v1/alertmanagers"))
        let active = (body["data"] as? [String: Any])?["activeAlertmanagers"] as? [[String: Any]] ?? []
        return active.compactMap { $0["url"] as? String }
    }

    /// The labels of every alert Alertmanager holds.
    func alertmanagerAlerts() async throws -> [[String: String]] {
        let data = try await Self.get("http://127.0.0.1:\(alertmanagerPort)/api/v2/alerts")
        let alerts = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        return alerts.compactMap { $0["labels"] as? [String: String] }
    }

    /// Stops both (without waiting) and removes their files once they have ended.
    func stop() {
        let directory = self.directory
        alertmanager.stopNow()
        prometheus.stopNow { try? FileManager.default.removeItem(atPath: directory) }
    }
}
