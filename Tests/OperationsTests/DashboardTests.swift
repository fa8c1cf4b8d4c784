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

    /// The annotation queries of a dashboard, by name.
    static func annotations(_ dashboard: [String: Any]) -> [String: String] {
        let list = (dashboard["annotations"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        return Dictionary(
            list.compactMap { entry in
                (entry["name"] as? String).flatMap { name in (entry["expr"] as? String).map { (name, $0) } }
            }
        ) { first, _ in first }
    }

    static func variables(_ dashboard: [String: Any]) -> [[String: Any]] {
        ((dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]]) ?? []
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

    /// Every query and annotation, with the variables substituted as Grafana would, parses as
    /// PromQL (promtool check rules on one recording rule per query).
    @Test func everyQueryIsValidPromQL() async throws {
        try await Self.checkPromQL(try Self.files.map { try Repository.json($0) })
    }

    static func checkPromQL(_ dashboards: [[String: Any]]) async throws {
        let directory = try Repository.temporaryDirectory("dashboard-queries")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var rules = "groups:\n  - name: dashboard_queries\n    rules:\n"
        for dashboard in dashboards {
            let queries = Self.expressions(dashboard) + Self.annotations(dashboard).values.sorted()
            for (index, expression) in queries.enumerated() {
                let quoted = try yamlQuoted(substitutingVariables(expression))
                rules += "      - record: dashboard_query_\(index)\n        expr: \(quoted)\n"
            }
        }
        let path = "\(directory)/queries.yml"
        try rules.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await Tool.run("promtool", package: "prometheus", ["check", "rules", path])
        #expect(result.status == 0, "\(result.output)")
    }

    /// As monitoring mixins: a `cluster` variable whose value every query matches (All also
    /// matching series without the label), and escalations and exporter restarts on the time axis.
    @Test(arguments: files) func clusterVariableAndAnnotations(_ file: String) async throws {
        try Self.checkClusterAndAnnotations(try Repository.json(file), label: "cluster", file: file)
        let job = Self.variables(try Repository.json(file)).first { $0["name"] as? String == "job" }
        #expect(job?["definition"] as? String == #"label_values(exesdb_exporter_build_info{cluster=~"$cluster"}, job)"#)
    }

    static func checkClusterAndAnnotations(_ dashboard: [String: Any], label: String, file: String) throws {
        let variables = Self.variables(dashboard)
        let cluster = try #require(
            variables.first { $0["name"] as? String == "cluster" }, "\(file): no cluster variable")
        #expect(cluster["definition"] as? String == "label_values(exesdb_exporter_build_info, \(label))")
        #expect(cluster["allValue"] as? String == ".*" && cluster["includeAll"] as? Bool == true, "\(file): \(cluster)")
        #expect(variables.map { $0["name"] as? String ?? "" }.prefix(3) == ["DS_PROMETHEUS", "cluster", "job"])
        let matcher = "\(label)=~\"$cluster\""
        let queries =
            Self.expressions(dashboard) + Self.annotations(dashboard).values
            + variables.filter { !["cluster", "DS_PROMETHEUS"].contains($0["name"] as? String) }.compactMap {
                $0["definition"] as? String
            }
        for query in queries { #expect(query.contains(matcher), "\(file): no \(matcher) in \(query)") }
        let annotations = Self.annotations(dashboard)
        #expect(
            annotations["Escalations"]?.contains("exesdb_alert_escalations_total") == true, "\(file): \(annotations)")
        #expect(
            annotations["Exporter restarts"]?.contains("changes(process_start_time_seconds") == true,
            "\(file): \(annotations)")
    }

    /// generate.py's parameters: another cluster label and a job selector reach every query and
    /// the variables, and the queries stay valid PromQL.
    @Test func generateTakesAClusterLabelAndAJobSelector() async throws {
        let directory = try Repository.temporaryDirectory("dashboards-mixin")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await Tool.run(
            "python3", package: "python3",
            [
                Repository.path("dashboards/generate.py"), "--cluster-label=k8s_cluster",
                #"--job-selector=job=~"exesdb.*""#,
                directory,
            ])
        #expect(result.status == 0, "\(result.output)")
        var dashboards: [[String: Any]] = []
        for file in Self.files {
            let path = "\(directory)/\(URL(fileURLWithPath: file).lastPathComponent)"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let dashboard = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
            try Self.checkClusterAndAnnotations(dashboard, label: "k8s_cluster", file: file)
            #expect(
                !text.contains(#"\"cluster=~"#) && !text.contains(#" cluster=~"#), "\(file): the default label is left")
            let job = Self.variables(dashboard).first { $0["name"] as? String == "job" }
            #expect(
                job?["definition"] as? String
                    == #"label_values(exesdb_exporter_build_info{k8s_cluster=~"$cluster", job=~"exesdb.*"}, job)"#)
            dashboards.append(dashboard)
        }
        try await Self.checkPromQL(dashboards)
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
    // "All" of each variable: `.+`, but the cluster's `.*`, which also matches series without the label.
    let all = ["cluster": ".*"].merging(values) { $1 }
    return result.replacing(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/) { match in all[String(match.output.1)] ?? ".+" }
}
