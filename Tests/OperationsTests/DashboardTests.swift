import Foundation
import Testing

/// The shipped Grafana dashboards: structure, variables, PromQL that parses, and generate.py in sync.
@Suite struct DashboardTests {
    static let files = [
        "dashboards/exesdb-cluster-overview.json", "dashboards/exesdb-performance.json",
        "dashboards/exesdb-alerts.json", "dashboards/exesdb-exporter.json", "dashboards/exesdb-beam.json",
        "dashboards/exesdb-security-audit.json",
    ]
    static let datasource = "${DS_PROMETHEUS}"

    /// Every panel, the ones nested in collapsed rows included.
    static func panels(_ dashboard: [String: Any]) -> [[String: Any]] {
        let top = dashboard["panels"] as? [[String: Any]] ?? []
        return top + top.flatMap { $0["panels"] as? [[String: Any]] ?? [] }
    }

    static func queryPanels(_ dashboard: [String: Any]) -> [[String: Any]] {
        panels(dashboard).filter { $0["type"] as? String != "row" }
    }

    /// Every PromQL expression of a dashboard: panel targets and query variables.
    static func expressions(_ dashboard: [String: Any]) -> [String] {
        queryPanels(dashboard).flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String }
        }
    }

    static func variableNames(_ dashboard: [String: Any]) -> Set<String> {
        let templating = dashboard["templating"] as? [String: Any] ?? [:]
        let variables = templating["list"] as? [[String: Any]] ?? []
        return Set(variables.compactMap { $0["name"] as? String })
    }

    @Test(arguments: files) func structure(_ file: String) async throws {
        let dashboard = try Repository.json(file)
        #expect((dashboard["schemaVersion"] as? Int ?? 0) >= 36, "\(file): schemaVersion")
        let inputs = dashboard["__inputs"] as? [[String: Any]] ?? []
        #expect(inputs.contains { $0["name"] as? String == "DS_PROMETHEUS" }, "\(file): DS_PROMETHEUS input")
        let ids = Self.panels(dashboard).compactMap { $0["id"] as? Int }
        #expect(ids.count == Self.panels(dashboard).count, "\(file): a panel without an id")
        #expect(Set(ids).count == ids.count, "\(file): duplicate panel ids")
        let panels = Self.queryPanels(dashboard)
        #expect(panels.count >= 8, "\(file): only \(panels.count) panels")
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            let source = panel["datasource"] as? [String: Any]
            #expect(source?["uid"] as? String == Self.datasource, "\(file) '\(title)': datasource")
            #expect(!(panel["description"] as? String ?? "").isEmpty, "\(file) '\(title)': description")
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "\(file) '\(title)': no query")
            for target in targets {
                #expect(!(target["expr"] as? String ?? "").isEmpty, "\(file) '\(title)': empty query")
                let targetSource = target["datasource"] as? [String: Any]
                #expect(targetSource?["uid"] as? String == Self.datasource, "\(file) '\(title)': target datasource")
            }
            let fieldConfig = panel["fieldConfig"] as? [String: Any] ?? [:]
            let defaults = fieldConfig["defaults"] as? [String: Any] ?? [:]
            #expect(!(defaults["unit"] as? String ?? "").isEmpty, "\(file) '\(title)': unit")
            let problems = PanelThresholds.problems(panel)
            #expect(problems.isEmpty, "\(file) '\(title)': \(problems)")
        }
    }

    @Test(arguments: files) func noHardCodedDatasourceAndEveryVariableDefined(_ file: String) async throws {
        let text = try Repository.text(file)
        let dashboard = try Repository.json(file)
        let defined = Self.variableNames(dashboard)
        // Any "uid" other than the input is a hard-coded data source.
        let uids = Set(text.matches(of: /"uid":\s*"([^"]*)"/).map { String($0.output.1) })
        #expect(
            uids.subtracting([Self.datasource, dashboard["uid"] as? String ?? ""]).isEmpty, "\(file): uids \(uids)")
        let used = Set(
            text.matches(of: /\$\{([A-Za-z0-9_]+)(?::[a-z]+)?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\[\[([A-Za-z0-9_]+)\]\]/)
                .compactMap { match in match.output.1 ?? match.output.2 ?? match.output.3 }.map(String.init)
                .filter { !$0.hasPrefix("__") })
        #expect(used.subtracting(defined).isEmpty, "\(file): undefined variables \(used.subtracting(defined))")
        #expect(defined.contains("job"), "\(file): job variable")
        #expect(defined.contains("node") || defined.contains("instance"), "\(file): node or instance variable")
    }

    @Test func theRequiredVariablesAndPanelsExist() async throws {
        let performance = try Repository.json("dashboards/exesdb-performance.json")
        #expect(Self.variableNames(performance).isSuperset(of: ["job", "node", "operation"]))
        let exporter = try Repository.json("dashboards/exesdb-exporter.json")
        #expect(Self.variableNames(exporter).isSuperset(of: ["job", "instance"]))
        for (file, required) in RequiredPanel.byDashboard {
            let panels = Self.queryPanels(try Repository.json(file))
            for panel in required {
                #expect(panels.contains(where: panel.isShown), "\(file): no panel shows \(panel.what)")
            }
        }
        let heatmaps = Self.queryPanels(performance).filter { $0["type"] as? String == "heatmap" }
        #expect(
            heatmaps.contains {
                Self.expressions(["panels": [$0]]).contains { $0.contains("exesdb_latency_seconds_bucket") }
            })
        let latency = Self.expressions(performance).joined(separator: "\n")
        for stat in ["p50", "p95", "p99"] { #expect(latency.contains("stat=\"\(stat)\""), "no \(stat) panel") }
    }

    /// Every query, with the variables substituted as Grafana would, parses as PromQL
    /// (promtool check rules on one recording rule per query).
    @Test func everyQueryIsValidPromQL() async throws {
        let directory = try Repository.temporaryDirectory("dashboard-queries")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var rules = "groups:\n  - name: dashboard_queries\n    rules:\n"
        for file in Self.files {
            for (index, expression) in Self.expressions(try Repository.json(file)).enumerated() {
                let quoted = try yamlQuoted(substitutingVariables(expression))
                rules += "      - record: dashboard_query_\(index)\n        expr: \(quoted)\n"
            }
        }
        let path = "\(directory)/queries.yml"
        try rules.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await Tool.run("promtool", package: "prometheus", ["check", "rules", path])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func committedJSONIsWhatGenerateWrites() async throws {
        let directory = try Repository.temporaryDirectory("dashboards")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await Tool.run(
            "python3", package: "python3", [Repository.path("dashboards/generate.py"), directory])
        #expect(result.status == 0, "\(result.output)")
        for file in Self.files {
            let name = URL(fileURLWithPath: file).lastPathComponent
            let generated = try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
            #expect(generated == (try Repository.text(file)), "\(file) differs from generate.py's output: rerun it")
        }
    }
}

/// A string as a YAML double-quoted scalar (JSON's string syntax is one).
func yamlQuoted(_ text: String) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
    return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
}

/// A dashboard query as Grafana sends it: built-in intervals filled in, each variable "All" (`.+`).
func substitutingVariables(_ expression: String, values: [String: String] = [:]) -> String {
    var result = expression
    for (builtin, value) in [("$__rate_interval", "1m"), ("$__interval", "15s"), ("$__range", "1h")] {
        result = result.replacingOccurrences(of: builtin, with: value)
    }
    return result.replacing(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/) { match in values[String(match.output.1)] ?? ".+" }
}
