import Foundation
import Testing

/// The thresholds rule every query panel of the shipped dashboards follows:
/// - a stat, gauge or bar gauge is coloured by its thresholds, so it needs a step above the base,
///   unless value mappings colour it (the state panels), it shows text only (`textMode: name`), or
///   it is `neutral` (a count where no level is bad);
/// - a panel whose unit is a ratio or percentage, or a time (a latency, a duration, an age), needs a
///   step above the base, since such a value always has a level worth seeing; a heatmap is exempt
///   (its colour scheme, not thresholds, colours it);
/// - the steps start with the base (value null) and rise; ratio steps lie in (0, 1], percent steps
///   in (0, 100];
/// - a time series with steps draws them (`custom.thresholdsStyle`), since nothing else shows them.
enum PanelThresholds {
    static let neutral: Set<String> = ["Acknowledged (last hour)"]
    static let coloured: Set<String> = ["stat", "gauge", "bargauge"]
    static let ranges: [String: ClosedRange<Double>] = ["percentunit": 0...1, "percent": 0...100]
    static let times: Set<String> = ["s", "ms", "µs", "ns"]

    static func problems(_ panel: [String: Any]) -> [String] {
        let kind = panel["type"] as? String ?? ""
        let defaults = (panel["fieldConfig"] as? [String: Any])?["defaults"] as? [String: Any] ?? [:]
        let unit = defaults["unit"] as? String ?? ""
        guard let steps = (defaults["thresholds"] as? [String: Any])?["steps"] as? [[String: Any]], !steps.isEmpty
        else { return ["no thresholds"] }
        var problems: [String] = []
        if !(steps[0]["value"] is NSNull) && steps[0]["value"] != nil {
            problems.append("the first step is not the base")
        }
        let values = steps.dropFirst().map { $0["value"] as? Double ?? .nan }
        if values.contains(where: \.isNaN) || values != values.sorted() || Set(values).count != values.count {
            problems.append("steps \(values) do not rise")
        }
        if let range = ranges[unit], values.contains(where: { $0 <= range.lowerBound || $0 > range.upperBound }) {
            problems.append("\(unit) steps \(values) outside (\(range.lowerBound), \(range.upperBound)]")
        }
        if values.isEmpty && needsSteps(panel, kind: kind, unit: unit, defaults: defaults) {
            problems.append("only a base step: a \(kind) in \(unit) needs a level that stands out")
        }
        let custom = defaults["custom"] as? [String: Any]
        let style = (custom?["thresholdsStyle"] as? [String: Any])?["mode"] as? String ?? "off"
        if kind == "timeseries" && !values.isEmpty && style == "off" { problems.append("steps not drawn") }
        return problems
    }

    private static func needsSteps(
        _ panel: [String: Any], kind: String, unit: String, defaults: [String: Any]
    )
        -> Bool
    {
        if kind == "heatmap" { return false }
        if ranges[unit] != nil || times.contains(unit) { return true }
        guard coloured.contains(kind), !neutral.contains(panel["title"] as? String ?? "") else { return false }
        let mapped = !(defaults["mappings"] as? [Any] ?? []).isEmpty
        let textOnly = (panel["options"] as? [String: Any])?["textMode"] as? String == "name"
        return !mapped && !textOnly
    }
}

/// A panel issue 7 asks a dashboard for: one whose query reads `series`, grouped by at least
/// `grouping`, with value mappings when it shows `states`.
struct RequiredPanel: Sendable {
    let what: String
    let series: String
    var grouping: Set<String> = []
    var states = false

    func isShown(_ panel: [String: Any]) -> Bool {
        let expressions = DashboardTests.expressions(["panels": [panel]])
        let defaults = (panel["fieldConfig"] as? [String: Any])?["defaults"] as? [String: Any] ?? [:]
        if states && (defaults["mappings"] as? [Any] ?? []).isEmpty { return false }
        return expressions.contains { expression in
            let labels = expression.matches(of: /by\s*\(([^)]*)\)/).flatMap {
                $0.output.1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            return expression.contains(series) && grouping.isSubset(of: labels)
        }
    }

    static let byDashboard: [String: [RequiredPanel]] = [
        "dashboards/exesdb-cluster-overview.json": [
            .init(what: "the cluster health state", series: "exesdb_cluster_health_status", states: true),
            .init(what: "node health states", series: "exesdb_node_health_status", grouping: ["node"], states: true),
            .init(what: "quorum", series: "exesdb_cluster_quorum_available", states: true),
            .init(what: "nodes by state", series: "exesdb_cluster_nodes", grouping: ["state"]),
            .init(what: "alerts raised", series: "exesdb_alerts_total", grouping: ["severity"]),
            .init(what: "alerts awaiting acknowledgement", series: "exesdb_alerts_active"),
            .init(what: "versions per node", series: "exesdb_node_info{"),
            .init(what: "process restarts", series: "exesdb_process_restarts_total", grouping: ["node", "process"]),
            .init(what: "membership changes", series: "exesdb_cluster_membership_changes_total", grouping: ["change"]),
        ],
        "dashboards/exesdb-security-audit.json": [
            .init(what: "logins by event", series: "exesdb_auth_events_total", grouping: ["event", "method"]),
            .init(what: "login failures by node", series: "exesdb_auth_events_total", grouping: ["node"]),
            .init(what: "sessions", series: "exesdb_sessions_total", grouping: ["event"]),
            .init(what: "session lengths", series: "exesdb_session_duration_seconds_bucket"),
            .init(
                what: "access violations", series: "exesdb_access_violations_total",
                grouping: ["violation", "severity"]),
            .init(what: "security alerts", series: "exesdb_security_alerts_total", grouping: ["type", "severity"]),
            .init(what: "the audit trail", series: "exesdb_audit_events_total", grouping: ["kind", "action"]),
        ],
        "dashboards/exesdb-performance.json": [
            .init(what: "throughput per operation", series: "exesdb_operations_total", grouping: ["operation"]),
            .init(what: "resource usage", series: "exesdb_resource_usage_ratio"),
        ],
        "dashboards/exesdb-alerts.json": [
            .init(what: "alert rate by severity", series: "exesdb_alerts_total", grouping: ["severity"]),
            .init(what: "alert rate by category", series: "exesdb_alerts_total", grouping: ["category"]),
            .init(what: "active alerts", series: "exesdb_alerts_active"),
            .init(what: "escalations by level", series: "exesdb_alert_escalations_total", grouping: ["to_level"]),
            .init(
                what: "notification outcomes", series: "exesdb_alert_notifications_total",
                grouping: ["delivery_method", "status"]),
        ],
        "dashboards/exesdb-exporter.json": [
            .init(what: "peers up", series: "exesdb_exporter_peer_up"),
            .init(what: "messages per second", series: "exesdb_exporter_messages_total", grouping: ["bus"]),
            .init(
                what: "rejections by reason", series: "exesdb_exporter_messages_rejected_total", grouping: ["reason"]),
            .init(what: "scrape duration", series: "exesdb_exporter_scrape_duration_seconds_bucket"),
            .init(what: "series", series: "exesdb_exporter_series{"),
            .init(
                what: "webhook deliveries", series: "exesdb_exporter_webhook_deliveries_total", grouping: ["outcome"]),
            .init(what: "webhook queue length", series: "exesdb_exporter_webhook_queue_length"),
            .init(what: "webhook queue age", series: "exesdb_exporter_webhook_oldest_pending_age_seconds"),
        ],
        "dashboards/exesdb-beam.json": [
            .init(what: "memory by kind", series: "erlang_vm_memory_system_bytes", grouping: ["node", "usage"]),
            .init(what: "process limit use", series: "erlang_vm_process_limit", grouping: ["node"]),
            .init(what: "atom limit use", series: "erlang_vm_atom_limit", grouping: ["node"]),
            .init(what: "port limit use", series: "erlang_vm_port_limit", grouping: ["node"]),
            .init(what: "ETS limit use", series: "erlang_vm_ets_limit", grouping: ["node"]),
            .init(what: "run queues", series: "erlang_vm_statistics_run_queues_length"),
            .init(what: "reductions", series: "erlang_vm_statistics_reductions_total"),
            .init(what: "garbage collections", series: "erlang_vm_statistics_garbage_collection_number_of_gcs_total"),
            .init(what: "I/O", series: "erlang_vm_statistics_bytes_received_total"),
            .init(what: "schedulers", series: "erlang_vm_schedulers_online"),
            .init(what: "process count per node", series: "erlang_vm_processes{"),
            .init(what: "the distribution mesh", series: "erlang_vm_dist_node_state", states: true),
        ],
    ]
}

/// The two rules above, on panels built to break them.
@Suite struct DashboardRulesTests {
    static func panel(
        _ kind: String, unit: String, steps: [Double?], mappings: [Any] = [], expression: String = "x",
        drawn: Bool = true
    ) -> [String: Any] {
        let thresholds = ["steps": steps.map { ["color": "green", "value": $0.map { $0 as Any } ?? NSNull()] }]
        let custom: [String: Any] = ["thresholdsStyle": ["mode": drawn ? "dashed" : "off"]]
        return [
            "type": kind, "title": "t", "targets": [["expr": expression]],
            "fieldConfig": [
                "defaults": ["unit": unit, "thresholds": thresholds, "mappings": mappings, "custom": custom]
            ],
        ]
    }

    @Test func theThresholdsRuleCatchesWhatItShould() {
        #expect(PanelThresholds.problems(Self.panel("timeseries", unit: "s", steps: [nil, 0.1, 0.5])).isEmpty)
        #expect(!PanelThresholds.problems(Self.panel("timeseries", unit: "s", steps: [nil])).isEmpty)
        #expect(!PanelThresholds.problems(Self.panel("timeseries", unit: "percentunit", steps: [nil, 80])).isEmpty)
        #expect(!PanelThresholds.problems(Self.panel("timeseries", unit: "s", steps: [nil, 1, 0.5])).isEmpty)
        #expect(!PanelThresholds.problems(Self.panel("timeseries", unit: "s", steps: [nil, 1], drawn: false)).isEmpty)
        #expect(!PanelThresholds.problems(Self.panel("stat", unit: "none", steps: [nil])).isEmpty)
        #expect(PanelThresholds.problems(Self.panel("stat", unit: "none", steps: [nil], mappings: [[:]])).isEmpty)
        #expect(PanelThresholds.problems(Self.panel("timeseries", unit: "short", steps: [nil])).isEmpty)
        #expect(PanelThresholds.problems(Self.panel("heatmap", unit: "s", steps: [nil])).isEmpty)
    }

    @Test func theRequiredPanelCheckCatchesWhatItShould() {
        let byLevel = RequiredPanel(what: "", series: "escalations_total", grouping: ["to_level"])
        let grouped = Self.panel(
            "timeseries", unit: "short", steps: [nil], expression: "sum by (to_level) (rate(escalations_total[1m]))")
        #expect(byLevel.isShown(grouped))
        #expect(
            !byLevel.isShown(
                Self.panel("timeseries", unit: "short", steps: [nil], expression: "sum(escalations_total)")))
        let states = RequiredPanel(what: "", series: "escalations_total", states: true)
        #expect(!states.isShown(grouped))
    }
}
