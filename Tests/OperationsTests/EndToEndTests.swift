import BEAMPeers
import Foundation
import Testing

/// The demo cluster, the exporter, a real Prometheus with the shipped rules and a real Alertmanager
/// with the shipped example config.
@Suite(.serialized) struct EndToEndTests {
    /// Every family of the catalogue (the modules' declarations), as it appears in the 0.0.4 text.
    static var everyFamily: [String] { Catalogue.declared.map(\.name) }

    /// What the demo cannot give a sample, and why. Everything else must have one (even the
    /// rejection counters exist, at 0, from a bus's first message).
    static let demoCannotSample = [
        "exesdb_log_events_total":
            "ExESDB's bare log_event is unsigned, and refused while a SECRET_KEY_BASE is set: the demo sends signed LogEntry structs only",
        "exesdb_exporter_control_messages_rejected_total":
            "only a malformed distribution control message makes one: the demo's nodes are real BEAM nodes",
        "exesdb_exporter_payload_fields_ignored_total":
            "only a field that is there but unusable makes one: the demo's payloads are whole and well formed",
    ]

    /// Prometheus loads every shipped rule group and talks to the shipped Alertmanager.
    @Test func prometheusLoadsTheShippedRulesAndFindsAlertmanager() async throws {
        let stack = try await PrometheusStack(target: "127.0.0.1:\(ErlangTools.freePort())")
        defer { stack.stop() }
        let groups = try await stack.ruleGroups()
        let alerts = groups.values.flatMap { $0 }
        for name in AlertRulesTests.requiredAlerts { #expect(alerts.contains(name), "Prometheus did not load \(name)") }
        #expect(groups["exesdb.recording"]?.count == 8)
        let alertmanagers =
            try await poll(timeout: .seconds(10), every: .milliseconds(200)) { () async throws -> [String]? in
                let active = try await stack.activeAlertmanagers()
                return active.isEmpty ? nil : active
            } ?? []
        #expect(alertmanagers.contains { $0.contains("127.0.0.1:\(stack.alertmanagerPort)") })
    }

    /// Every catalogue family is served, every dashboard query and recording rule returns data,
    /// and a stopped node reaches Alertmanager.
    @Test func dashboardsRulesAndAlertsWorkAgainstTheDemo() async throws {
        let demo = try await DemoCluster()
        defer { demo.stop() }
        let rogue = try await startRoguePublisher(demo)
        defer { rogue.stopNow() }
        let sink = try WebhookSink()
        defer { sink.stop() }
        let port = ErlangTools.freePort()
        let exporter = try demo.startExporter([
            "--erlang.name=exesdb_exporter_e2e@localhost", "--web.listen-address=127.0.0.1:\(port)",
            "--config.file=\(try sink.exporterConfiguration())",
        ])
        defer { exporter.stopNow() }
        // The rogue publisher gives the rejection counters samples: every family must have some.
        let missing = try await familiesWithoutSamples(
            port: port, until: .now + .seconds(90), excluded: Set(Self.demoCannotSample.keys))
        #expect(missing.isEmpty, "families without a sample on /metrics after 90 s: \(missing)")
        let stack = try await PrometheusStack(target: "127.0.0.1:\(port)")
        defer { stack.stop() }
        try await everyQueryReturnsData(stack)
        await demo.nodes[2].stop()
        try await stoppedNodeReachesAlertmanager(stack, node: DemoCluster.names[2])
    }

    /// A node of the cluster that signs with another secret: its messages are rejected, so the
    /// rejection series (and their panels) exist.
    func startRoguePublisher(_ demo: DemoCluster) async throws -> BackgroundProcess {
        let fixtures = try await ErlangFixtures(shared: [.pubsubPublisher])
        return try await StartupSlots.beams.withSlot {
            let node = try BackgroundProcess(
                "erl",
                [
                    "-sname", "rogue@localhost", "-setcookie", demo.cluster.cookie, "-noshell", "-pa",
                    fixtures.beamDirectory,
                    "-eval",
                    "pong = net_adm:ping('\(DemoCluster.names[0])'), pubsub_publisher:start_ticking(1, <<\"wrong\">>)",
                ], environment: demo.cluster.environment)
            try await node.waitForLine(containing: "ready")
            return node
        }
    }

    /// Every dashboard query (variables as "All", and once more without its `or vector(0)`
    /// fallback, which would hide a missing series), every template variable's label_values and
    /// every recording rule returns data.
    func everyQueryReturnsData(_ stack: PrometheusStack) async throws {
        var checks: [PrometheusCheck] = []
        for file in DashboardTests.files {
            let dashboard = try Repository.json(file)
            for expression in DashboardTests.expressions(dashboard) {
                let query = substitutingVariables(expression, values: ["job": "exesdb_exporter"])
                checks.append(.query(query))
                if let bare = PrometheusCheck.withoutFallback(query) { checks.append(.query(bare)) }
            }
            checks += try PrometheusCheck.variables(of: dashboard, file: file)
            // The escalations annotation marks the demo's escalations (fast profile: every few
            // seconds); the restarts one has nothing to show while the exporter runs on.
            if let escalations = DashboardTests.annotations(dashboard)["Escalations"] {
                checks.append(.query(substitutingVariables(escalations, values: ["job": "exesdb_exporter"])))
            }
        }
        #expect(checks.count { if case .labelValues = $0 { true } else { false } } >= 4, "template variables")
        #expect(checks.contains { "\($0)".contains("exesdb_alert_acks_total") && !"\($0)".contains("vector(0)") })
        checks += try AlertRulesTests.rules("alerts/recording_rules.yml").compactMap { $0["record"] as? String }.map {
            .query($0)
        }
        var empty = checks
        _ = try await poll(timeout: .seconds(120), every: .seconds(3)) { () async throws -> Bool? in
            var stillEmpty: [PrometheusCheck] = []
            for check in empty where !(try await check.hasData(in: stack)) { stillEmpty.append(check) }
            empty = stillEmpty
            return empty.isEmpty ? true : nil
        }
        #expect(empty.isEmpty, "without data after 120 s:\n\(empty.map(\.description).joined(separator: "\n"))")
    }

    func stoppedNodeReachesAlertmanager(_ stack: PrometheusStack, node: String) async throws {
        let received =
            try await poll(timeout: .seconds(180), every: .seconds(2)) { () async throws -> [[String: String]]? in
                let alerts = try await stack.alertmanagerAlerts().filter { labels in
                    (labels["alertname"] == "ExESDBNodeUnhealthy" && labels["node"] == node)
                        || (labels["alertname"] == "ExESDBPeerDown" && labels["peer"] == node)
                }
                return alerts.isEmpty ? nil : alerts
            } ?? []
        #expect(!received.isEmpty, "neither ExESDBNodeUnhealthy nor ExESDBPeerDown for \(node) reached Alertmanager")
    }
}

/// demo/webhook_sink.py on a free port, recording what it receives.
final class WebhookSink: Sendable {
    let port = ErlangTools.freePort()
    let directory: String
    private let process: BackgroundProcess

    init() throws {
        directory = try Repository.temporaryDirectory("webhook-sink")
        process = try BackgroundProcess(
            "python3",
            [Repository.path("demo/webhook_sink.py"), "--port", "\(port)", "--log", "\(directory)/requests.log"])
    }

    /// A config file (docs/webhooks.md) forwarding level2 and level3 escalations here.
    func exporterConfiguration() throws -> String {
        let path = "\(directory)/exesdb_exporter.yml"
        let text = """
            webhooks:
              spool_dir: \(directory)/spool
              endpoints:
                - name: sink
                  url: http://127.0.0.1:\(port)/
                  format: alertmanager
                  to_levels: [level2, level3]
                  timeout: 5s

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Stops the sink (without waiting) and removes its files once it has ended.
    func stop() {
        process.stopNow { [directory] in try? FileManager.default.removeItem(atPath: directory) }
    }
}

/// The catalogue families without a sample on the exporter's /metrics by `deadline`, but for
/// `excluded`. HELP and TYPE lines do not count: the exporter writes them for every registered
/// family, with series or without.
func familiesWithoutSamples(
    port: Int, until deadline: ContinuousClock.Instant, excluded: Set<String> = []
) async throws -> [String] {
    var missing = EndToEndTests.everyFamily.filter { !excluded.contains($0) }
    _ = try await poll(timeout: max(deadline - .now, .zero), every: .milliseconds(500)) { () async -> Bool? in
        guard let body = try? await PrometheusStack.get("http://127.0.0.1:\(port)/metrics") else { return nil }
        let names = sampleNames(String(decoding: body, as: UTF8.self))
        missing = missing.filter { family in
            !names.contains(family) && !names.contains(family + "_bucket") && !names.contains(family + "_count")
        }
        return missing.isEmpty ? true : nil
    }
    return missing
}

/// The metric names of the sample lines of a 0.0.4 text exposition.
func sampleNames(_ text: String) -> Set<String> {
    Set(
        text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            String(line.prefix { $0 != "{" && $0 != " " })
        })
}
