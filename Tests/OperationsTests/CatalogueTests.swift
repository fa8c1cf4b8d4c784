import Foundation
import Testing

/// The metric catalogue (DESIGN.md section 4 and the lead's naming decisions) as the dashboards
/// and rules must use it: family -> labels. Histograms also have `_bucket` (with `le`), `_sum`
/// and `_count`; statesets have a label named like the family.
enum Catalogue {
    static let histograms: Set<String> = threeBusHistograms.union(sixBusHistograms)

    static let threeBusHistograms: Set<String> = [
        "exesdb_latency_seconds", "exesdb_health_check_duration_seconds",
        "exesdb_exporter_webhook_delivery_duration_seconds", "exesdb_exporter_scrape_duration_seconds",
    ]

    static let families: [String: Set<String>] = threeBusFamilies.merging(sixBusFamilies) { first, _ in first }

    static let threeBusFamilies: [String: Set<String>] = [
        "exesdb_up": [],
        "exesdb_performance_value": ["node", "component", "metric", "unit"],
        "exesdb_performance_reports_total": ["node", "component", "metric"],
        "exesdb_performance_tag_value": ["node", "component", "metric", "tag"],
        "exesdb_operations_total": ["node", "operation"],
        "exesdb_operations_window_seconds_total": ["node", "operation"],
        "exesdb_throughput_ops_per_second": ["node", "operation"],
        "exesdb_latency_reported_seconds": ["node", "operation", "stat"],
        "exesdb_latency_seconds": ["node", "operation", "stat"],
        "exesdb_latency_samples_total": ["node", "operation", "stat"],
        "exesdb_resource_usage_ratio": ["node", "resource"],
        "exesdb_resource_capacity": ["node", "resource"],
        "exesdb_resource_used": ["node", "resource"],
        "exesdb_metric_threshold_violations_total": ["node", "metric", "threshold_type", "severity"],
        "exesdb_metric_threshold_value": ["node", "metric", "threshold_type"],
        "exesdb_metric_threshold_observed_value": ["node", "metric", "threshold_type"],
        "exesdb_node_health_status": ["node", "exesdb_node_health_status"],
        "exesdb_node_load_average": ["node"],
        "exesdb_node_memory_usage_ratio": ["node"],
        "exesdb_node_disk_usage_ratio": ["node"],
        "exesdb_node_health_check_passing": ["node", "check"],
        "exesdb_cluster_health_status": ["reporter", "exesdb_cluster_health_status"],
        "exesdb_cluster_nodes": ["reporter", "state"],
        "exesdb_cluster_quorum_available": ["reporter"],
        "exesdb_component_health_status": ["node", "component", "exesdb_component_health_status"],
        "exesdb_health_check_status": ["node", "check", "exesdb_health_check_status"],
        "exesdb_health_check_duration_seconds": ["node", "check"],
        "exesdb_health_last_report_timestamp_seconds": ["node", "kind"],
        "exesdb_alerts_total": ["node", "severity", "category"],
        "exesdb_alerts_active": ["severity", "category"],
        "exesdb_alert_acks_total": [],
        "exesdb_alert_escalations_total": ["from_level", "to_level"],
        "exesdb_alert_notifications_total": ["delivery_method", "status"],
        "exesdb_exporter_build_info": ["version", "revision", "swift_version"],
        "exesdb_exporter_peer_up": ["peer"],
        "exesdb_exporter_peer_connects_total": ["peer", "result"],
        "exesdb_exporter_messages_total": ["bus", "type"],
        "exesdb_exporter_messages_rejected_total": ["bus", "reason"],
        "exesdb_exporter_last_message_timestamp_seconds": ["peer", "bus"],
        "exesdb_exporter_series": [],
        "exesdb_exporter_series_dropped_total": ["reason"],
        "exesdb_exporter_series_expired_total": [],
        "exesdb_exporter_webhook_deliveries_total": ["endpoint", "outcome"],
        "exesdb_exporter_webhook_delivery_duration_seconds": ["endpoint"],
        "exesdb_exporter_webhook_queue_length": ["endpoint"],
        "exesdb_exporter_webhook_oldest_pending_age_seconds": ["endpoint"],
        "exesdb_exporter_webhook_spool_corrupt_records_total": [],
        "exesdb_exporter_webhook_spool_write_failures_total": [],
        "exesdb_exporter_scrape_duration_seconds": ["format"],
        "process_cpu_seconds_total": [], "process_resident_memory_bytes": [], "process_open_fds": [],
        "process_max_fds": [], "process_start_time_seconds": [], "process_virtual_memory_bytes": [],
        "up": [],
    ].merging(beam) { first, _ in first }

    /// The BEAM collector's families (README, "Metrics": read from the nodes themselves).
    static let beam: [String: Set<String>] = [
        "erlang_vm_memory_bytes": ["node", "kind"], "erlang_vm_memory_system_bytes": ["node", "usage"],
        "erlang_vm_memory_processes_bytes": ["node", "usage"], "erlang_vm_memory_atom_bytes": ["node", "usage"],
        "erlang_vm_memory_ets_tables": ["node"], "erlang_vm_processes": ["node"], "erlang_vm_process_limit": ["node"],
        "erlang_vm_ports": ["node"], "erlang_vm_port_limit": ["node"], "erlang_vm_atoms": ["node"],
        "erlang_vm_atom_limit": ["node"], "erlang_vm_ets_limit": ["node"], "erlang_vm_schedulers": ["node"],
        "erlang_vm_schedulers_online": ["node"], "erlang_vm_dirty_cpu_schedulers": ["node"],
        "erlang_vm_dirty_cpu_schedulers_online": ["node"], "erlang_vm_dirty_io_schedulers": ["node"],
        "erlang_vm_wordsize_bytes": ["node"], "erlang_vm_statistics_bytes_received_total": ["node"],
        "erlang_vm_statistics_bytes_output_total": ["node"], "erlang_vm_statistics_context_switches_total": ["node"],
        "erlang_vm_statistics_garbage_collection_number_of_gcs_total": ["node"],
        "erlang_vm_statistics_garbage_collection_words_reclaimed_total": ["node"],
        "erlang_vm_statistics_garbage_collection_bytes_reclaimed_total": ["node"],
        "erlang_vm_statistics_reductions_total": ["node"], "erlang_vm_statistics_runtime_seconds_total": ["node"],
        "erlang_vm_statistics_wallclock_time_seconds_total": ["node"],
        "erlang_vm_statistics_run_queues_length": ["node"],
        "erlang_vm_statistics_dirty_cpu_run_queue_length": ["node"],
        "erlang_vm_statistics_dirty_io_run_queue_length": ["node"],
        "erlang_vm_info": ["node", "otp_release", "erts_version"],
        "exesdb_node_application_info": ["node", "application", "version"],
        "erlang_vm_dist_node_state": ["node", "peer"],
        "exesdb_exporter_collector_duration_seconds": ["collector", "node"],
        "exesdb_exporter_collector_errors_total": ["collector", "node", "reason"],
    ]

    /// The labels a series name may carry (its family's, plus the scrape's job and instance and the
    /// cluster label Prometheus may add, which the dashboards match), or nil when the name is not in
    /// the catalogue.
    static func labels(of name: String) -> Set<String>? {
        let scrape: Set<String> = ["job", "instance", "cluster"]
        if let labels = families[name] { return labels.union(scrape) }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let family = String(name.dropLast(suffix.count))
            if histograms.contains(family), let labels = families[family] {
                return labels.union(scrape).union(suffix == "_bucket" ? ["le"] : [])
            }
        }
        return nil
    }

    /// Names not in the catalogue, and label matchers a series cannot have, in one expression.
    static func violations(in expression: String) -> [String] {
        // Recording rule names (level:metric:operation) and quoted values are not series names.
        let bare = expression.replacing(/[a-z_]+:[a-z0-9_]+:[a-z0-9_]+/, with: "")
            .replacing(/"[^"]*"/, with: "\"\"")
        var found: [String] = []
        for match in bare.matches(of: /\b(?:exesdb|process|erlang_vm)_[a-z0-9_]+/) {
            let name = String(match.output)
            if labels(of: name) == nil { found.append("unknown series \(name)") }
        }
        for match in bare.matches(of: /\b((?:exesdb|process|erlang_vm)_[a-z0-9_]+|up)\{([^}]*)\}/) {
            let name = String(match.output.1)
            guard let allowed = labels(of: name) else { continue }
            for key in match.output.2.matches(of: /([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/) {
                let label = String(key.output.1)
                if !allowed.contains(label) { found.append("\(name) has no label \(label)") }
            }
        }
        return found
    }
}

/// Every series the dashboards and rules query is in the catalogue, with labels it has.
@Suite struct CatalogueTests {
    @Test func dashboardQueriesUseTheCatalogue() throws {
        for file in DashboardTests.files {
            let dashboard = try Repository.json(file)
            let templating = dashboard["templating"] as? [String: Any] ?? [:]
            let variableQueries = (templating["list"] as? [[String: Any]] ?? []).compactMap {
                $0["definition"] as? String
            }
            for expression in DashboardTests.expressions(dashboard) + variableQueries {
                let problems = Catalogue.violations(in: expression)
                #expect(problems.isEmpty, "\(file): \(problems) in \(expression)")
            }
        }
    }

    @Test func ruleExpressionsUseTheCatalogue() throws {
        for file in ["alerts/recording_rules.yml", "alerts/alerting_rules.yml"] {
            for rule in try AlertRulesTests.rules(file) {
                let expression = rule["expr"] as? String ?? ""
                let problems = Catalogue.violations(in: expression)
                #expect(problems.isEmpty, "\(file): \(problems) in \(expression)")
            }
        }
    }

    @Test func theEndToEndListIsTheCatalogue() {
        #expect(Set(EndToEndTests.everyFamily) == Set(Catalogue.families.keys).subtracting(["up"]))
    }

    @Test func theCheckCatchesWhatItShould() {
        #expect(
            Catalogue.violations(in: "rate(exesdb_operation_total[5m])") == ["unknown series exesdb_operation_total"])
        #expect(
            Catalogue.violations(in: #"exesdb_alerts_active{job="x", node=~"$node"}"#)
                == ["exesdb_alerts_active has no label node"])
        #expect(Catalogue.violations(in: #"sum by (le) (rate(exesdb_latency_seconds_bucket{stat="p99"}[1m]))"#).isEmpty)
        #expect(Catalogue.violations(in: #"node_operation:exesdb_operations:rate5m{job="exesdb_exporter"}"#).isEmpty)
    }
}
