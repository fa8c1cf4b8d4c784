import ExporterApp
import Logging
import MetricsStore
import Testing

@testable import Aggregation
@testable import GaterMessages

/// Each payload type lands in exactly the catalogue's families, labels and units.
@Suite struct AggregatorTests {
    let store = MetricsStore()
    let aggregator: Aggregator

    init() throws {
        try AggregationFamilies.register(in: store)
        aggregator = try Aggregator(store: store, alertTTL: .seconds(300), logger: Logger(label: "test"))
    }

    func receive(_ message: GaterMessage, peer: String = "ex_esdb@a", at: Double = 1_700_000_100) {
        aggregator.record(ReceivedMessage(peer: peer, bus: "b", topic: "t", message: message, receivedAt: at))
    }

    /// The sample lines of `family` (its name followed by `{`, ` ` or `_`).
    func lines(_ family: String) -> [String] { Self.lines(family, in: store) }

    static func lines(_ family: String, in store: MetricsStore) -> [String] {
        String(decoding: store.render(.prometheusText), as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("#") && ($0.hasPrefix(family + "{") || $0.hasPrefix(family + " ")) }
    }

    @Test func performanceMetric() {
        let metric = PerformanceMetric(
            metricName: "write_amplification", value: 1.75, unit: "ratio", node: "ex_esdb@a", component: "persistence",
            numericTags: [NumericTag(name: "shard", value: 3)], timestamp: nil)
        receive(.performance(metric))
        receive(.performance(metric))
        #expect(
            lines("exesdb_performance_value") == [
                #"exesdb_performance_value{node="ex_esdb@a",component="persistence",metric="write_amplification",unit="ratio"} 1.75"#
            ])
        #expect(
            lines("exesdb_performance_reports_total") == [
                #"exesdb_performance_reports_total{node="ex_esdb@a",component="persistence",metric="write_amplification"} 2"#
            ])
        #expect(
            lines("exesdb_performance_tag_value") == [
                #"exesdb_performance_tag_value{node="ex_esdb@a",component="persistence",metric="write_amplification",tag="shard"} 3"#
            ])
    }

    @Test func throughputMetric() {
        for count in [100, 250] {
            receive(
                .throughput(
                    ThroughputMetric(
                        operation: "append", count: count, durationMilliseconds: 1500,
                        ratePerSecond: Double(count) / 1.5,
                        node: "ex_esdb@a", timestamp: nil)))
        }
        #expect(
            lines("exesdb_operations_total") == [#"exesdb_operations_total{node="ex_esdb@a",operation="append"} 350"#])
        #expect(
            lines("exesdb_operations_window_seconds_total") == [
                #"exesdb_operations_window_seconds_total{node="ex_esdb@a",operation="append"} 3"#
            ])
        #expect(
            lines("exesdb_throughput_ops_per_second") == [
                #"exesdb_throughput_ops_per_second{node="ex_esdb@a",operation="append"} 166.66666666666666"#
            ])
    }

    @Test func latencyMetric() {
        for latency in [4.0, 40.0] {
            receive(
                .latency(
                    LatencyMetric(
                        operation: "read", latencyMilliseconds: latency, percentile: "p99", sampleCount: 500,
                        node: "ex_esdb@a", timestamp: nil)))
        }
        let labels = #"node="ex_esdb@a",operation="read",stat="p99""#
        #expect(lines("exesdb_latency_reported_seconds") == ["exesdb_latency_reported_seconds{\(labels)} 0.04"])
        #expect(lines("exesdb_latency_samples_total") == ["exesdb_latency_samples_total{\(labels)} 1000"])
        #expect(lines("exesdb_latency_seconds_count") == ["exesdb_latency_seconds_count{\(labels)} 2"])
        #expect(lines("exesdb_latency_seconds_sum") == ["exesdb_latency_seconds_sum{\(labels)} 0.044"])
        let buckets = lines("exesdb_latency_seconds_bucket")
        #expect(buckets.contains("exesdb_latency_seconds_bucket{\(labels),le=\"0.0025\"} 0"))
        #expect(buckets.contains("exesdb_latency_seconds_bucket{\(labels),le=\"0.005\"} 1"))
        #expect(buckets.contains("exesdb_latency_seconds_bucket{\(labels),le=\"0.05\"} 2"))
    }

    @Test func resourceUsageAndMetricAlert() {
        receive(
            .resourceUsage(
                ResourceUsage(
                    resourceType: "memory", usagePercent: 62.5, totalAvailable: 8e9, currentUsed: 5e9,
                    node: "ex_esdb@a",
                    timestamp: nil)))
        receive(
            .metricAlert(
                MetricAlert(
                    metricName: "latency_p99", currentValue: 250, thresholdValue: 100, thresholdType: "max",
                    severity: "critical", node: "ex_esdb@a", timestamp: nil)))
        #expect(
            lines("exesdb_resource_usage_ratio") == [
                #"exesdb_resource_usage_ratio{node="ex_esdb@a",resource="memory"} 0.625"#
            ])
        #expect(
            lines("exesdb_resource_capacity") == [
                #"exesdb_resource_capacity{node="ex_esdb@a",resource="memory"} 8000000000"#
            ])
        #expect(
            lines("exesdb_resource_used") == [#"exesdb_resource_used{node="ex_esdb@a",resource="memory"} 5000000000"#])
        #expect(
            lines("exesdb_metric_threshold_violations_total") == [
                #"exesdb_metric_threshold_violations_total{node="ex_esdb@a",metric="latency_p99",threshold_type="max",severity="critical"} 1"#
            ])
        #expect(
            lines("exesdb_metric_threshold_value") == [
                #"exesdb_metric_threshold_value{node="ex_esdb@a",metric="latency_p99",threshold_type="max"} 100"#
            ])
        #expect(
            lines("exesdb_metric_threshold_observed_value") == [
                #"exesdb_metric_threshold_observed_value{node="ex_esdb@a",metric="latency_p99",threshold_type="max"} 250"#
            ])
    }

    @Test func nodeHealthWithAnUnknownStatusReadsAsUnknown() {
        receive(
            .nodeHealth(
                NodeHealth(
                    node: "ex_esdb@a", status: "degraded",
                    checks: [
                        HealthCheckOutcome(name: "disk", passing: true),
                        HealthCheckOutcome(name: "raft", passing: false),
                    ],
                    loadAverage: 1.5, memoryUsagePercent: 40, diskUsagePercent: 91, timestamp: 1_700_000_000)))
        #expect(
            lines("exesdb_node_health_status") == [
                #"exesdb_node_health_status{node="ex_esdb@a",exesdb_node_health_status="healthy"} 0"#,
                #"exesdb_node_health_status{node="ex_esdb@a",exesdb_node_health_status="degraded"} 1"#,
                #"exesdb_node_health_status{node="ex_esdb@a",exesdb_node_health_status="unhealthy"} 0"#,
                #"exesdb_node_health_status{node="ex_esdb@a",exesdb_node_health_status="unknown"} 0"#,
            ])
        #expect(lines("exesdb_node_load_average") == [#"exesdb_node_load_average{node="ex_esdb@a"} 1.5"#])
        #expect(lines("exesdb_node_memory_usage_ratio") == [#"exesdb_node_memory_usage_ratio{node="ex_esdb@a"} 0.4"#])
        #expect(lines("exesdb_node_disk_usage_ratio") == [#"exesdb_node_disk_usage_ratio{node="ex_esdb@a"} 0.91"#])
        #expect(
            lines("exesdb_node_health_check_passing") == [
                #"exesdb_node_health_check_passing{node="ex_esdb@a",check="disk"} 1"#,
                #"exesdb_node_health_check_passing{node="ex_esdb@a",check="raft"} 0"#,
            ])
        #expect(
            lines("exesdb_health_last_report_timestamp_seconds") == [
                #"exesdb_health_last_report_timestamp_seconds{node="ex_esdb@a",kind="node"} 1700000000"#
            ])
        receive(
            .nodeHealth(
                NodeHealth(
                    node: "ex_esdb@a", status: "starting", checks: [], loadAverage: nil, memoryUsagePercent: nil,
                    diskUsagePercent: nil, timestamp: nil)))
        #expect(
            lines("exesdb_node_health_status").filter { $0.hasSuffix(" 1") } == [
                #"exesdb_node_health_status{node="ex_esdb@a",exesdb_node_health_status="unknown"} 1"#
            ])
        // Without a payload timestamp, the arrival time stands in.
        #expect(lines("exesdb_health_last_report_timestamp_seconds").first?.hasSuffix(" 1700000100") == true)
    }

    @Test func clusterComponentAndCheckHealth() {
        receive(
            .clusterHealth(
                ClusterHealth(
                    status: "degraded", healthyNodes: 2, totalNodes: 3, degradedNodes: ["ex_esdb@c"],
                    unhealthyNodes: [],
                    quorumStatus: "available", timestamp: nil)),
            peer: "ex_esdb@b")
        receive(
            .componentHealth(
                ComponentHealth(
                    component: "emitter", node: "ex_esdb@a", status: "unhealthy", lastCheck: nil, timestamp: nil)))
        receive(
            .healthCheck(
                HealthCheck(
                    checkName: "store_writable", node: "ex_esdb@a", result: "timeout", durationMilliseconds: 1200,
                    error: "timed out", timestamp: nil)))
        #expect(
            lines("exesdb_cluster_health_status").filter { $0.hasSuffix(" 1") } == [
                #"exesdb_cluster_health_status{reporter="ex_esdb@b",exesdb_cluster_health_status="degraded"} 1"#
            ])
        #expect(
            lines("exesdb_cluster_nodes") == [
                #"exesdb_cluster_nodes{reporter="ex_esdb@b",state="degraded"} 1"#,
                #"exesdb_cluster_nodes{reporter="ex_esdb@b",state="healthy"} 2"#,
                #"exesdb_cluster_nodes{reporter="ex_esdb@b",state="total"} 3"#,
                #"exesdb_cluster_nodes{reporter="ex_esdb@b",state="unhealthy"} 0"#,
            ])
        #expect(
            lines("exesdb_cluster_quorum_available") == [#"exesdb_cluster_quorum_available{reporter="ex_esdb@b"} 1"#])
        #expect(
            lines("exesdb_component_health_status").filter { $0.hasSuffix(" 1") } == [
                #"exesdb_component_health_status{node="ex_esdb@a",component="emitter",exesdb_component_health_status="unhealthy"} 1"#
            ])
        #expect(
            lines("exesdb_health_check_status") == [
                #"exesdb_health_check_status{node="ex_esdb@a",check="store_writable",exesdb_health_check_status="pass"} 0"#,
                #"exesdb_health_check_status{node="ex_esdb@a",check="store_writable",exesdb_health_check_status="fail"} 0"#,
                #"exesdb_health_check_status{node="ex_esdb@a",check="store_writable",exesdb_health_check_status="timeout"} 1"#,
                #"exesdb_health_check_status{node="ex_esdb@a",check="store_writable",exesdb_health_check_status="unknown"} 0"#,
            ])
        #expect(
            lines("exesdb_health_check_duration_seconds_sum") == [
                #"exesdb_health_check_duration_seconds_sum{node="ex_esdb@a",check="store_writable"} 1.2"#
            ])
        let kinds = lines("exesdb_health_last_report_timestamp_seconds").map { $0.split(separator: " ")[0] }
        #expect(
            kinds == [
                #"exesdb_health_last_report_timestamp_seconds{node="ex_esdb@a",kind="check"}"#,
                #"exesdb_health_last_report_timestamp_seconds{node="ex_esdb@a",kind="component"}"#,
                #"exesdb_health_last_report_timestamp_seconds{node="ex_esdb@b",kind="cluster"}"#,
            ])
    }

    /// What ExESDB 0.11's shifted call of the Gater's constructor leaves usable: the status is no
    /// state (it is the list of nodes) and reads as unknown, the healthy count comes from a list's
    /// length, and the total, an atom there, has no series rather than a made-up one.
    @Test func aClusterHealthWithShiftedFieldsGivesWhatIsSoundInIt() {
        receive(
            .clusterHealth(
                ClusterHealth(
                    status: nil, healthyNodes: 1, totalNodes: nil, degradedNodes: [], unhealthyNodes: [],
                    quorumStatus: nil, timestamp: nil)),
            peer: "ex_esdb@b")
        #expect(
            lines("exesdb_cluster_health_status").filter { $0.hasSuffix(" 1") } == [
                #"exesdb_cluster_health_status{reporter="ex_esdb@b",exesdb_cluster_health_status="unknown"} 1"#
            ])
        #expect(
            lines("exesdb_cluster_nodes") == [
                #"exesdb_cluster_nodes{reporter="ex_esdb@b",state="degraded"} 0"#,
                #"exesdb_cluster_nodes{reporter="ex_esdb@b",state="healthy"} 1"#,
                #"exesdb_cluster_nodes{reporter="ex_esdb@b",state="unhealthy"} 0"#,
            ])
        #expect(lines("exesdb_cluster_quorum_available").isEmpty)
    }

    /// Every stateset reads a state it does not list as `unknown`: the health checks' too.
    @Test func anUnknownCheckResultReadsAsUnknown() {
        receive(
            .healthCheck(
                HealthCheck(
                    checkName: "raft", node: "ex_esdb@a", result: "maybe", durationMilliseconds: nil, error: nil,
                    timestamp: nil)))
        #expect(
            lines("exesdb_health_check_status").filter { $0.hasSuffix(" 1") } == [
                #"exesdb_health_check_status{node="ex_esdb@a",check="raft",exesdb_health_check_status="unknown"} 1"#
            ])
    }

    /// An alert built without an id (ExESDB's plain-map fallback) counts, and never becomes active.
    @Test func anAlertWithoutAnIDCountsButIsNeverActive() {
        receive(
            .systemAlert(
                SystemAlert(
                    alertID: nil, severity: "critical", category: "system", title: "t", description: "d", source: "s",
                    node: "ex_esdb@a", requiresAcknowledgement: true, timestamp: nil)))
        #expect(
            lines("exesdb_alerts_total") == [
                #"exesdb_alerts_total{node="ex_esdb@a",severity="critical",category="system"} 1"#
            ])
        #expect(lines("exesdb_alerts_active").allSatisfy { $0.hasSuffix(" 0") })
    }

    func alert(_ id: String, severity: String = "critical", requiresAck: Bool = true) -> GaterMessage {
        .systemAlert(
            SystemAlert(
                alertID: id, severity: severity, category: "performance", title: "t", description: "d", source: "s",
                node: "ex_esdb@a", requiresAcknowledgement: requiresAck, timestamp: nil))
    }

    @Test func alertsAcksEscalationsNotificationsAndTheActiveCount() {
        receive(alert("a1"))
        receive(alert("a2"))
        receive(alert("a3", severity: "warning"))
        receive(alert("a4", requiresAck: false))
        receive(alert("a1"))  // raised again: still one active alert
        receive(
            .alertAcknowledgement(
                AlertAcknowledgement(alertID: "a2", acknowledgedBy: "ops", note: nil, resolution: nil, timestamp: nil)))
        receive(
            .alertEscalation(
                AlertEscalation(
                    alertID: "a1", fromLevel: "level1", toLevel: "level2", reason: "r", escalatedBy: "system",
                    notifyContacts: [], timestamp: nil)))
        receive(
            .notificationStatus(
                NotificationStatus(
                    alertID: "a1", deliveryMethod: "webhook", recipient: "x", status: "failed", errorReason: "timeout",
                    attempts: 3, timestamp: nil)))
        #expect(
            lines("exesdb_alerts_total") == [
                #"exesdb_alerts_total{node="ex_esdb@a",severity="critical",category="performance"} 4"#,
                #"exesdb_alerts_total{node="ex_esdb@a",severity="warning",category="performance"} 1"#,
            ])
        #expect(
            lines("exesdb_alerts_active") == [
                #"exesdb_alerts_active{severity="critical",category="performance"} 1"#,
                #"exesdb_alerts_active{severity="warning",category="performance"} 1"#,
            ])
        #expect(lines("exesdb_alert_acks_total") == ["exesdb_alert_acks_total 1"])
        #expect(
            lines("exesdb_alert_escalations_total") == [
                #"exesdb_alert_escalations_total{from_level="level1",to_level="level2"} 1"#
            ])
        #expect(
            lines("exesdb_alert_notifications_total") == [
                #"exesdb_alert_notifications_total{delivery_method="webhook",status="failed"} 1"#
            ])
        // Alerts not seen again within the TTL are no longer active.
        aggregator.sweep(now: 1_700_000_100 + 301)
        #expect(lines("exesdb_alerts_active").allSatisfy { $0.hasSuffix(" 0") })
    }

    /// The whole catalogue's start families, this module's and the others' (updated through swift-metrics).
    @Test func everyCatalogueFamilyIsServedBeforeItsFirstSample() throws {
        let store = MetricsStore()
        try MetricCatalogue.register(in: store)
        let exposition = String(decoding: store.render(.openMetrics), as: UTF8.self)
        for descriptor in MetricCatalogue.startFamilies() {
            let name = descriptor.type == .counter ? String(descriptor.name.dropLast(6)) : descriptor.name
            let family = descriptor.type == .info ? String(name.dropLast(5)) : name
            #expect(exposition.contains("# TYPE \(family) "), "\(descriptor.name) is missing")
        }
    }

    @Test func histogramBucketsCanBeOverridden() throws {
        let store = MetricsStore()
        try AggregationFamilies.register(in: store, buckets: ["exesdb_latency_seconds": [0.001, 0.01]])
        #expect(store.family(named: "exesdb_latency_seconds")?.descriptor.buckets == [0.001, 0.01])
        #expect(throws: FamilyRegistrationError.self) {
            try AggregationFamilies.register(in: MetricsStore(), buckets: ["exesdb_latency_seconds": [0.1, 0.01]])
        }
    }
}

/// Active alerts stay bounded whatever ids the cluster sends.
@Suite struct ActiveAlertBoundTests {
    @Test func pastTheCapacityTheAlertSeenLeastRecentlyIsForgotten() throws {
        let store = MetricsStore()
        try AggregationFamilies.register(in: store)
        let aggregator = try Aggregator(
            store: store, alertTTL: .seconds(300), alertCapacity: 3, logger: Logger(label: "test"))
        func raise(_ id: String, at time: Double, category: String = "network") {
            let alert = SystemAlert(
                alertID: id, severity: "critical", category: category, title: "t", description: "d", source: "s",
                node: "ex_esdb@a", requiresAcknowledgement: true, timestamp: nil)
            aggregator.record(
                ReceivedMessage(peer: "p", bus: "b", topic: "t", message: .systemAlert(alert), receivedAt: time))
        }
        func active() -> [String] {
            String(decoding: store.render(.prometheusText), as: UTF8.self).split(separator: "\n").map(String.init)
                .filter { $0.hasPrefix("exesdb_alerts_active{") }
        }
        func acknowledge(_ id: String, at time: Double) {
            let ack = AlertAcknowledgement(alertID: id, acknowledgedBy: "o", note: nil, resolution: nil, timestamp: nil)
            aggregator.record(
                ReceivedMessage(peer: "p", bus: "b", topic: "t", message: .alertAcknowledgement(ack), receivedAt: time))
        }
        func counts() -> [String] {
            active().map { String($0.dropFirst("exesdb_alerts_active{severity=\"critical\",".count)) }
        }
        for index in 0..<3 { raise("a\(index)", at: 1_700_000_000 + Double(index)) }
        raise("a0", at: 1_700_000_010)  // seen again: now the most recent
        #expect(counts() == [#"category="network"} 3"#])
        raise("b3", at: 1_700_000_020, category: "disk")  // a1, seen least recently, is forgotten
        #expect(counts() == [#"category="disk"} 1"#, #"category="network"} 2"#])
        acknowledge("a1", at: 1_700_000_021)  // already forgotten: nothing changes
        #expect(counts() == [#"category="disk"} 1"#, #"category="network"} 2"#])
        acknowledge("a0", at: 1_700_000_022)  // kept, so its acknowledgement counts
        #expect(counts() == [#"category="disk"} 1"#, #"category="network"} 1"#])
        for index in 4..<10 { raise("b\(index)", at: 1_700_000_030 + Double(index), category: "disk") }
        #expect(counts() == [#"category="disk"} 3"#, #"category="network"} 0"#])
    }
}
