import BEAMPeers
import Foundation
import Testing

/// The exporter's own families as the every-family test sees them.
extension BinaryEndToEndTests {
    /// The payloads of gater_fixture by the bus the fixture publishes them on.
    static let typesByBus = [
        "ex_esdb_metrics": [
            "performance_metric", "throughput_metric", "latency_metric", "resource_usage", "metric_alert",
        ],
        "ex_esdb_health": [
            "node_health_updated", "cluster_health_updated", "component_health_updated", "health_check_completed",
        ],
        "ex_esdb_alerts": ["system_alert", "alert_acknowledged", "alert_escalated", "notification_status"],
        "ex_esdb_system": ["system_lifecycle_event", "system_config_changed", "feature_toggle_changed"],
        "ex_esdb_lifecycle": [
            "node_lifecycle_event", "process_lifecycle_event", "supervision_event", "cluster_membership_changed",
        ],
        "ex_esdb_audit": ["data_change", "admin_action", "access_log", "compliance_event"],
        "ex_esdb_diagnostics": ["debug_trace", "performance_analysis", "system_state", "error_analysis"],
        "ex_esdb_security": ["auth_event", "access_violation", "security_alert", "session_event"],
        "ex_esdb_logging": ["log_entry", "log_summary", "log_filter_updated", "log_rotation"],
    ]

    /// `refusedScrapes`: a job scrapes with a wrong password, so unauthorized requests are counted.
    func expectExporterFamilies(_ checks: QueryExpectations, publisher: Publisher, refusedScrapes: Bool = false) async {
        let peer = #"{peer="\#(Publisher.name)"}"#
        await checks.expect("exesdb_up", "", equals: 1)
        await checks.expect("exesdb_exporter_peer_up", peer, equals: 1)
        await checks.expect(
            "exesdb_exporter_peer_connects_total", "sum(exesdb_exporter_peer_connects_total\(peer))",
            QueryExpectations.atLeast(1))
        let version = (try? await Self.binaryVersion()) ?? "?"
        await checks.expect(
            "exesdb_exporter_build_info", #"{version="\#(version)",swift_version=~"6.+"}"#, equals: 1)
        for (bus, types) in Self.typesByBus {
            await checks.expect(
                "exesdb_exporter_messages_total", #"exesdb_exporter_messages_total{bus="\#(bus)"}"#, positiveBy: "type",
                types)
            await checks.expect(
                "exesdb_exporter_last_message_timestamp_seconds",
                #"time() - exesdb_exporter_last_message_timestamp_seconds{peer="\#(Publisher.name)",bus="\#(bus)"}"#
            ) { samples in samples.count == 1 && (0..<30).contains(samples[0].value) }
        }
        // Every accepted message is counted once, and aggregated once.
        await checks.expect(
            "exesdb_exporter_messages_total",
            #"exesdb_exporter_messages_total{type="alert_acknowledged"} - on() exesdb_alert_acks_total"#,
            QueryExpectations.single(0))
        await checks.expect(
            "exesdb_exporter_messages_rejected_total", "sum(exesdb_exporter_messages_rejected_total) or vector(0)",
            QueryExpectations.single(0))
        await checks.expect(
            "exesdb_exporter_control_messages_rejected_total",
            "sum(exesdb_exporter_control_messages_rejected_total) or vector(0)", QueryExpectations.single(0))
        // gater_fixture's payloads are sound throughout: nothing is ignored, no node departs (and
        // the departures counter is there at 0 from the start).
        await checks.expect(
            "exesdb_exporter_payload_fields_ignored_total",
            "sum(exesdb_exporter_payload_fields_ignored_total) or vector(0)", QueryExpectations.single(0))
        await checks.expect(
            "exesdb_exporter_peer_departures_total", "exesdb_exporter_peer_departures_total",
            QueryExpectations.single(0))
        await checks.expect(
            "exesdb_exporter_log_lines_dropped_total", "exesdb_exporter_log_lines_dropped_total",
            QueryExpectations.single(0))
        await checks.expect("exesdb_exporter_series", "exesdb_exporter_series", QueryExpectations.atLeast(40))
        for family in ["exesdb_exporter_series_dropped_total", "exesdb_exporter_series_expired_total"] {
            await checks.expect(family, "sum(\(family)) or vector(0)", QueryExpectations.single(0))
        }
        await checks.expect(
            "exesdb_exporter_http_rejected_total", "sum(exesdb_exporter_http_rejected_total) or vector(0)",
            refusedScrapes ? QueryExpectations.atLeast(1) : QueryExpectations.single(0))
        // Prometheus 2.42 asks for OpenMetrics.
        await checks.expect(
            "exesdb_exporter_scrape_duration_seconds",
            #"exesdb_exporter_scrape_duration_seconds_count{format="openmetrics"}"#, QueryExpectations.atLeast(1))
        await expectProcessFamilies(checks)
    }

    func expectProcessFamilies(_ checks: QueryExpectations) async {
        await checks.expect("process_cpu_seconds_total", "process_cpu_seconds_total", QueryExpectations.atLeast(0.01))
        await checks.expect(
            "process_resident_memory_bytes", "process_resident_memory_bytes", QueryExpectations.atLeast(1_000_000))
        await checks.expect(
            "process_virtual_memory_bytes", "process_virtual_memory_bytes - process_resident_memory_bytes",
            QueryExpectations.atLeast(0))
        await checks.expect("process_open_fds", "process_open_fds", QueryExpectations.atLeast(3))
        await checks.expect("process_max_fds", "process_max_fds - process_open_fds", QueryExpectations.atLeast(1))
        await checks.expect("process_start_time_seconds", "time() - process_start_time_seconds") { samples in
            samples.count == 1 && (0..<600).contains(samples[0].value)
        }
    }

    func expectWebhookFamilies(_ checks: QueryExpectations) async {
        let endpoint = #"{endpoint="e2e"}"#
        await checks.expect(
            "exesdb_exporter_webhook_deliveries_total",
            #"exesdb_exporter_webhook_deliveries_total{endpoint="e2e",outcome="delivered"}"#,
            QueryExpectations.atLeast(1))
        await checks.expect(
            "exesdb_exporter_webhook_delivery_duration_seconds",
            "exesdb_exporter_webhook_delivery_duration_seconds_count\(endpoint)", QueryExpectations.atLeast(1))
        // A receiver that answers at once keeps the queue short: a few escalations at most.
        await checks.expect(
            "exesdb_exporter_webhook_queue_length", "exesdb_exporter_webhook_queue_length\(endpoint)"
        ) { samples in samples.count == 1 && (0...5).contains(samples[0].value) }
        await checks.expect(
            "exesdb_exporter_webhook_oldest_pending_age_seconds",
            "exesdb_exporter_webhook_oldest_pending_age_seconds\(endpoint)"
        ) { samples in samples.count == 1 && (0..<10).contains(samples[0].value) }
        // A sound spool on a disk with room: there from the start, at 0.
        for family in [
            "exesdb_exporter_webhook_spool_corrupt_records_total", "exesdb_exporter_webhook_spool_write_failures_total",
        ] {
            await checks.expect(family, family, QueryExpectations.single(0))
        }
    }

    /// The version `exesdb_exporter --version` prints first.
    static func binaryVersion() async throws -> String {
        let result = try await ErlangTools.run(ExporterCLITests.binary, ["--version"])
        return String(result.output.trimmingCharacters(in: .whitespacesAndNewlines).prefix { $0 != " " })
    }
}

extension QueryExpectations {
    /// The family's series selected by `query` have, by the values of `label`, exactly `values`, each at least 1.
    func expect(
        _ family: String, _ query: String, positiveBy label: String, _ values: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        await expect(family, query, sourceLocation: sourceLocation) { samples in
            Set(samples.map { $0.labels[label] ?? "" }) == Set(values) && samples.allSatisfy { $0.value >= 1 }
        }
    }
}
