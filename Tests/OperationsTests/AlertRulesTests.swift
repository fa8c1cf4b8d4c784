import Foundation
import Testing

/// The shipped Prometheus rules (alerts/), checked and unit-tested by the real promtool.
@Suite struct AlertRulesTests {
    /// The alerts the project promises, at least.
    static let requiredAlerts = [
        "ExESDBExporterDown", "ExESDBNoPeers", "ExESDBNodeUnhealthy", "ExESDBNodeDegraded", "ExESDBClusterQuorumLost",
        "ExESDBComponentUnhealthy", "ExESDBHealthCheckFailing", "ExESDBLatencyHigh", "ExESDBThroughputDropped",
        "ExESDBResourceSaturation", "ExESDBCriticalAlerts", "ExESDBMessagesRejected", "ExESDBEveryMessageRejected",
        "ExESDBWebhookDeliveryFailing",
        "ExESDBWebhookBacklog", "ExESDBWebhookSpoolFailing", "ExESDBStaleMetrics",
        // The other six buses.
        "ExESDBLoginFailureBurst", "ExESDBSecurityCritical", "ExESDBProcessRestarting", "ExESDBVersionSkew",
        "ExESDBErrorLogRateHigh",
    ]

    static func rules(_ file: String) throws -> [[String: Any]] {
        let groups = try Repository.yaml(file)["groups"] as? [[String: Any]] ?? []
        return groups.flatMap { $0["rules"] as? [[String: Any]] ?? [] }
    }

    static func alerts() throws -> [String: [String: Any]] {
        let rules = try rules("alerts/alerting_rules.yml")
        return Dictionary(rules.compactMap { rule in (rule["alert"] as? String).map { ($0, rule) } }) { first, _ in
            first
        }
    }

    @Test func promtoolAcceptsTheRules() async throws {
        let files = try Repository.files(in: "alerts", ending: ".yml").map(Repository.path)
        let result = try await Tool.run("promtool", package: "prometheus", ["check", "rules"] + files)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("SUCCESS"))
    }

    @Test func promtoolUnitTestsPass() async throws {
        let files = try Repository.files(in: "alerts/tests", ending: ".test.yml").map(Repository.path)
        #expect(files.count >= 2)
        let result = try await Tool.run("promtool", package: "prometheus", ["test", "rules"] + files)
        #expect(result.status == 0, "\(result.output)")
        #expect(!result.output.contains("FAILED"), "\(result.output)")
    }

    @Test func everyRequiredAlertExistsWithSeverityAnnotationsAndRunbook() async throws {
        let alerts = try Self.alerts()
        let runbook = try Repository.text("docs/runbook.md")
        let headings = Set(runbook.split(separator: "\n").filter { $0.hasPrefix("## ") }.map { $0.dropFirst(3) })
        for name in Self.requiredAlerts { #expect(alerts[name] != nil, "missing alert \(name)") }
        for (name, rule) in alerts {
            let labels = rule["labels"] as? [String: Any] ?? [:]
            let annotations = rule["annotations"] as? [String: Any] ?? [:]
            #expect(["critical", "warning", "info"].contains(labels["severity"] as? String), "\(name): severity")
            #expect(!(annotations["summary"] as? String ?? "").isEmpty, "\(name): summary")
            #expect(!(annotations["description"] as? String ?? "").isEmpty, "\(name): description")
            #expect(
                annotations["runbook_url"] as? String == "docs/runbook.md#\(name.lowercased())", "\(name): runbook_url")
            // GitHub-style anchors: the heading's lowercased text.
            #expect(headings.contains(Substring(name)), "docs/runbook.md has no section '## \(name)'")
        }
    }

    /// Every alert has a promtool case where it fires and one where it must not.
    @Test func everyAlertHasAFiringAndAQuietCase() async throws {
        let tests = try Repository.yaml("alerts/tests/alerting_rules.test.yml")["tests"] as? [[String: Any]] ?? []
        var fires = Set<String>()
        var quiet = Set<String>()
        for test in tests {
            for check in test["alert_rule_test"] as? [[String: Any]] ?? [] {
                guard let name = check["alertname"] as? String else { continue }
                let expected = check["exp_alerts"] as? [Any] ?? []
                if expected.isEmpty { quiet.insert(name) } else { fires.insert(name) }
            }
        }
        for name in try Self.alerts().keys {
            #expect(fires.contains(name), "no promtool case fires \(name)")
            #expect(quiet.contains(name), "no promtool case shows \(name) staying quiet")
        }
    }

    /// alerts/generate.py with its defaults writes the shipped files unchanged.
    @Test func generateWithTheDefaultsWritesTheShippedRules() async throws {
        let directory = try Repository.temporaryDirectory("rules-default")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await Tool.run(
            "python3", package: "python3", [Repository.path("alerts/generate.py"), directory])
        #expect(result.status == 0, "\(result.output)")
        for file in ["recording_rules.yml", "alerting_rules.yml"] {
            let generated = try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)
            #expect(generated == (try Repository.text("alerts/\(file)")), "alerts/\(file) differs from generate.py's")
        }
    }

    /// Another job selector, a cluster label and a runbook URL pattern: promtool accepts the
    /// rules, and their unit tests pass rewritten for that job, with a cluster label on every input
    /// series that every alert and recorded series must keep (but absent()'s, which has none).
    @Test func generateConfiguresTheJobTheClusterLabelAndTheRunbooks() async throws {
        let directory = try Repository.temporaryDirectory("rules-mixin")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await Tool.run(
            "python3", package: "python3",
            [
                Repository.path("alerts/generate.py"), #"--job-selector=job="exesdb""#, "--cluster-label=cluster",
                "--runbook-url=https://runbooks.example/exesdb/{alert}", directory,
            ])
        #expect(result.status == 0, "\(result.output)")
        let alerting = try String(contentsOfFile: "\(directory)/alerting_rules.yml", encoding: .utf8)
        #expect(!alerting.contains(#"job="exesdb_exporter""#) && alerting.contains(#"absent(up{job="exesdb"})"#))
        #expect(!alerting.contains("runbook_url: docs/runbook.md"))
        #expect(alerting.contains("runbook_url: https://runbooks.example/exesdb/exesdbnopeers"))
        for file in ["recording_rules.yml", "alerting_rules.yml"] {
            let text = try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)
            for clause in text.matches(of: /\b(?:by|on) \(([^()]*)\)/) where clause.output.1.contains("job") {
                #expect(clause.output.1.hasPrefix("cluster, "), "\(file): \(clause.output.0) drops the cluster")
            }
        }
        let check = try await Tool.run(
            "promtool", package: "prometheus",
            ["check", "rules", "\(directory)/recording_rules.yml", "\(directory)/alerting_rules.yml"])
        #expect(check.status == 0, "\(check.output)")
        try FileManager.default.createDirectory(atPath: "\(directory)/tests", withIntermediateDirectories: true)
        for file in try Repository.files(in: "alerts/tests", ending: ".test.yml") {
            let rewritten = Self.withJobAndCluster(try Repository.text(file))
            try rewritten.write(
                toFile: "\(directory)/tests/\(URL(fileURLWithPath: file).lastPathComponent)", atomically: true,
                encoding: .utf8)
        }
        let tests = try Repository.files(in: "alerts/tests", ending: ".test.yml").map {
            "\(directory)/tests/\(URL(fileURLWithPath: $0).lastPathComponent)"
        }
        let unit = try await Tool.run("promtool", package: "prometheus", ["test", "rules"] + tests)
        #expect(unit.status == 0, "\(unit.output)")
    }

    /// The promtool unit tests for job `exesdb`, runbooks at runbooks.example, and `cluster="c1"` on
    /// every input series and so on every expected alert and sample.
    static func withJobAndCluster(_ text: String) -> String {
        text.replacingOccurrences(of: #"job="exesdb_exporter""#, with: #"job="exesdb""#)
            .replacingOccurrences(of: "job: exesdb_exporter", with: "job: exesdb")
            .replacingOccurrences(of: "job exesdb_exporter", with: "job exesdb")
            .replacing(/runbook_url: "docs\/runbook\.md#([a-z0-9]+)"/) {
                "runbook_url: \"https://runbooks.example/exesdb/\($0.output.1)\""
            }
            .replacing(/(series: '[a-zA-Z_:][a-zA-Z0-9_:]*)\{/) { "\($0.output.1){cluster=\"c1\"," }
            .replacing(/(labels: '[a-zA-Z_:][a-zA-Z0-9_:]*)\{/) { "\($0.output.1){cluster=\"c1\"," }
            // absent() makes its alert's labels from the selector alone: no cluster there.
            .replacing(/exp_labels: \{(?!severity: critical, job: exesdb\})/) { _ in "exp_labels: {cluster: c1, " }
    }

    @Test func prometheusRuleForTheOperatorHoldsExactlyTheseRules() async throws {
        let shipped =
            (try Repository.yaml("alerts/recording_rules.yml")["groups"] as? [Any] ?? [])
            + (try Repository.yaml("alerts/alerting_rules.yml")["groups"] as? [Any] ?? [])
        let manifest = try Repository.yaml("deploy/kubernetes/prometheusrule.yaml")
        #expect(manifest["kind"] as? String == "PrometheusRule")
        let spec = manifest["spec"] as? [String: Any] ?? [:]
        let inManifest = spec["groups"] as? [Any] ?? []
        #expect(
            try canonicalJSON(inManifest) == canonicalJSON(shipped), "regenerate deploy/kubernetes/prometheusrule.yaml")
    }
}

/// A value as sorted-keys JSON, to compare parsed documents.
func canonicalJSON(_ value: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
}
