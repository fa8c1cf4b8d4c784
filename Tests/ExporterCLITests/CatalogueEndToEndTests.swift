import BEAMPeers
import ExporterApp
import Foundation
import Testing

/// The binary end to end (issue 5's proof): a publisher node, the exporter joining it, a real
/// Prometheus scraping it. One suite, serialized: each test runs BEAM nodes, the exporter and
/// sometimes Prometheus, which a shared 2-core machine should not run many of at once.
@Suite(.serialized) struct BinaryEndToEndTests {
    static let host1 = "ex_esdb@host-1"
    static let host2 = "ex_esdb@host-2"
    static let host3 = "ex_esdb@host-3"
    /// gater_fixture's timestamp, 2026-11-22T10:15:30.123Z.
    static let fixtureTimestamp = 1_795_342_530.123

    /// Every family of the catalogue with the values the fixture sent, through Prometheus's API.
    @Test func prometheusSeesEveryFamilyWithTheFixturesValues() async throws {
        let publisher = try await Publisher.everyPayload()
        defer { publisher.stop() }
        let receiver = try await WebhookReceiver.start()
        let configFile = try webhookConfigFile(url: receiver.url)
        let exporter = try await RunningExporter.joining(publisher, ["--config.file=\(configFile)"])
        defer { exporter.stop() }
        let prometheus = try await PrometheusServer.start(
            configuration: PrometheusServer.configuration(jobs: [.init(name: "exesdb", target: exporter.target)]),
            timeout: .seconds(60))
        defer { prometheus.stop() }
        // A whole round of the fixture scraped: its last payload is there.
        try await prometheus.waitForQuery("exesdb_alert_notifications_total", timeout: .seconds(60)) { !$0.isEmpty }

        let checks = QueryExpectations(prometheus)
        await expectMetricsBus(checks)
        await expectHealthBus(checks)
        await expectAlertsBus(checks)
        await expectSixBuses(checks)
        await expectExporterFamilies(checks, publisher: publisher)
        await expectWebhookFamilies(checks)
        let unchecked = Set(MetricCatalogue.startFamilies().map(\.name)).subtracting(checks.covered).sorted()
        #expect(unchecked.isEmpty, "catalogue families this test does not check: \(unchecked)")
        #expect(!(try await receiver.waitForRequests(1)).isEmpty)
        // The fixture's critical SecurityAlert reaches the endpoint whose events name it, without
        // the user ids and the source IP it carried.
        let security = try await poll(timeout: .seconds(20), every: .milliseconds(100)) {
            receiver.requests.first { $0.uri == "/security" }
        }
        let body = try #require(security, "no security alert forwarded").body
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(json["event"] as? String == "security_alert" && json["node"] as? String == Self.host2)
        let text = String(decoding: body, as: UTF8.self)
        #expect(!text.contains("203.0.113.9") && !text.contains("user-42"))
        #expect(
            !receiver.requests.contains {
                $0.uri == "/" && String(decoding: $0.body, as: UTF8.self).contains("ExESDBSecurityAlert")
            })
        await receiver.stop()
        let leaks = exporter.lines.filter { $0.contains(publisher.secret) || $0.contains(publisher.cookie) }
        #expect(leaks.isEmpty, "secrets must never be logged: \(leaks)")
    }

    func expectMetricsBus(_ checks: QueryExpectations) async {
        let performance = #"{node="\#(Self.host1)",component="persistence",metric="write_queue_depth""#
        await checks.expect("exesdb_performance_value", performance + #",unit="items"}"#, equals: 42)
        await checks.expect("exesdb_performance_reports_total", performance + "}", multipleOf: 1)
        await checks.expect("exesdb_performance_tag_value", performance + "}", by: "tag", ["shard": 3, "ratio": 0.5])

        let append = #"{node="\#(Self.host1)",operation="stream_append"}"#
        await checks.expect("exesdb_operations_total", append, multipleOf: 1200)
        await checks.expect("exesdb_operations_window_seconds_total", append, multipleOf: 1)
        await checks.expect("exesdb_throughput_ops_per_second", append, equals: 1200)
        // Both counters grow by one message's worth each time: 1200 operations per 1 s window.
        await checks.expect(
            "exesdb_operations_total",
            "exesdb_operations_total\(append) / exesdb_operations_window_seconds_total\(append)",
            QueryExpectations.single(1200))

        let read = #"{node="\#(Self.host1)",operation="stream_read",stat="p99""#
        await checks.expect("exesdb_latency_reported_seconds", read + "}", equals: 0.01275)
        await checks.expect("exesdb_latency_samples_total", read + "}", multipleOf: 1500)
        await checks.expect(
            "exesdb_latency_seconds", "exesdb_latency_seconds_sum\(read)} / exesdb_latency_seconds_count\(read)}",
            QueryExpectations.single(0.01275))
        await checks.expect(
            "exesdb_latency_samples_total",
            "exesdb_latency_samples_total\(read)} / exesdb_latency_seconds_count\(read)}",
            QueryExpectations.single(1500))
        await expectBuckets(checks, "exesdb_latency_seconds", read, below: "0.01", within: "0.025")

        let memory = #"{node="\#(Self.host2)",resource="memory"}"#
        await checks.expect("exesdb_resource_usage_ratio", memory, equals: 0.715)
        await checks.expect("exesdb_resource_capacity", memory, equals: 17_179_869_184)
        await checks.expect("exesdb_resource_used", memory, equals: 12_283_418_214)

        let threshold = #"{node="\#(Self.host1)",metric="write_latency",threshold_type="max""#
        await checks.expect(
            "exesdb_metric_threshold_violations_total", threshold + #",severity="critical"}"#, multipleOf: 1)
        await checks.expect("exesdb_metric_threshold_value", threshold + "}", equals: 100)
        await checks.expect("exesdb_metric_threshold_observed_value", threshold + "}", equals: 250)
    }

    /// The histogram's `below` bucket is empty and its `within` bucket holds every observation.
    func expectBuckets(
        _ checks: QueryExpectations, _ family: String, _ labels: String, below: String, within: String
    ) async {
        await checks.expect(family, "\(family)_bucket\(labels),le=\"\(below)\"}", QueryExpectations.single(0))
        await checks.expect(
            family, "\(family)_bucket\(labels),le=\"\(within)\"} / ignoring(le) \(family)_count\(labels)}",
            QueryExpectations.single(1))
    }

    func expectHealthBus(_ checks: QueryExpectations) async {
        let node2 = #"{node="\#(Self.host2)"}"#
        await checks.expect(
            "exesdb_node_health_status", node2, by: "exesdb_node_health_status",
            ["healthy": 0, "degraded": 1, "unhealthy": 0, "unknown": 0])
        await checks.expect("exesdb_node_load_average", node2, equals: 1.25)
        await checks.expect("exesdb_node_memory_usage_ratio", node2, equals: 0.715)
        await checks.expect("exesdb_node_disk_usage_ratio", node2, equals: 0.4)
        // true and ok pass; false and {error, timeout} fail; 17 reads as neither and is left out.
        await checks.expect(
            "exesdb_node_health_check_passing", node2, by: "check", ["disk": 1, "raft": 1, "memory": 0, "network": 0])

        let reporter = #"{reporter="\#(Publisher.name)"}"#
        await checks.expect(
            "exesdb_cluster_health_status", reporter, by: "exesdb_cluster_health_status",
            ["healthy": 0, "degraded": 1, "unhealthy": 0, "unknown": 0])
        await checks.expect(
            "exesdb_cluster_nodes", reporter, by: "state", ["healthy": 2, "degraded": 1, "unhealthy": 0, "total": 3])
        await checks.expect("exesdb_cluster_quorum_available", reporter, equals: 1)

        await checks.expect(
            "exesdb_component_health_status", #"{node="\#(Self.host1)",component="store_worker"}"#,
            by: "exesdb_component_health_status", ["healthy": 1, "degraded": 0, "unhealthy": 0, "unknown": 0])
        let check = #"{node="\#(Self.host3)",check="disk_space""#
        await checks.expect(
            "exesdb_health_check_status", check + "}", by: "exesdb_health_check_status",
            ["pass": 0, "fail": 1, "timeout": 0, "unknown": 0])
        await checks.expect(
            "exesdb_health_check_duration_seconds",
            "exesdb_health_check_duration_seconds_sum\(check)} / exesdb_health_check_duration_seconds_count\(check)}",
            QueryExpectations.single(0.035))
        await expectBuckets(checks, "exesdb_health_check_duration_seconds", check, below: "0.025", within: "0.05")
        await checks.expect(
            "exesdb_health_last_report_timestamp_seconds", "exesdb_health_last_report_timestamp_seconds"
        ) {
            samples in
            let byKind = Dictionary(
                samples.map { ("\($0.labels["kind"] ?? "")@\($0.labels["node"] ?? "")", $0.value) }
            ) { $1 }
            let expected = [
                "node@\(Self.host2)", "component@\(Self.host1)", "check@\(Self.host3)", "cluster@\(Publisher.name)",
            ]
            return samples.count == 4 && expected.allSatisfy { abs((byKind[$0] ?? 0) - Self.fixtureTimestamp) < 1e-3 }
        }
    }

    func expectAlertsBus(_ checks: QueryExpectations) async {
        await checks.expect(
            "exesdb_alerts_total", #"{node="\#(Self.host1)",severity="critical",category="network"}"#, multipleOf: 1)
        // alert-1 needs an acknowledgement and gets one right after, in every round.
        await checks.expect("exesdb_alerts_active", #"{severity="critical",category="network"}"#, equals: 0)
        await checks.expect("exesdb_alert_acks_total", "", multipleOf: 1)
        await checks.expect(
            "exesdb_alert_escalations_total", #"{from_level="level1",to_level="level2"}"#, multipleOf: 1)
        await checks.expect(
            "exesdb_alert_notifications_total", #"{delivery_method="webhook",status="failed"}"#, multipleOf: 1)
    }

    /// A config file forwarding level2 escalations to `url` in the Alertmanager webhook format.
    func webhookConfigFile(url: String) throws -> String {
        let directory = try temporaryDirectory("e2e-webhooks")
        let path = "\(directory)/exesdb_exporter.yml"
        let text = """
            webhooks:
              spool_dir: \(directory)/spool
              endpoints:
                - name: e2e
                  url: \(url)/
                  format: alertmanager
                  to_levels: [level2]
                  timeout: 5s
                - name: security
                  url: \(url)/security
                  format: json
                  events: [security_alert]
                  min_severity: error
                  timeout: 5s

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
