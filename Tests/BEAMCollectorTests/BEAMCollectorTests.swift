import BEAMPeers
import ErlangTerm
import Foundation
import Logging
import MetricsStore
import Testing

@testable import BEAMCollector

/// The BEAM collector against real `erl` nodes: what it serves for each node is what the node
/// reports of itself, made by the same calls locally right after the poll.
@Suite(.serialized) struct BEAMCollectorTests {
    static let names = ["vm1", "vm2", "vm3"]

    @Test func everyFamilyHasEachNodesFiguresAsTheNodeReportsThem() async throws {
        let cluster = try await WitnessCluster(Self.names)
        let store = MetricsStore()
        let logs = LogRecorder()
        let collector = try BEAMCollector(
            node: cluster.node, store: store, logger: logs.logger(), followed: { cluster.followed })
        // The witness's first report loads what it calls (and makes their atoms): before the poll.
        for name in Self.names { _ = try await cluster.report(name) }
        await collector.pollOnce()
        let samples = Samples(store)
        for name in Self.names {
            let node = WitnessCluster.full(name)
            let report = try await cluster.report(name)
            for descriptor in BEAMFamilies.descriptors {
                #expect(
                    !samples.of(descriptor.name, node: node).isEmpty, "\(descriptor.name) has no series for \(node)")
            }
            try expectSystemInfo(samples, node: node, report: report)
            try expectMemory(samples, node: node, report: report)
            try expectStatistics(samples, node: node, report: report)
            #expect(
                Set(
                    samples.of("exesdb_node_application_info", node: node).map {
                        [$0.labels["application"] ?? "", $0.labels["version"] ?? ""]
                    })
                    == report.applications)
            let others = Set(Self.names.filter { $0 != name }.map(WitnessCluster.full))
            #expect(report.peers == others, "the witnesses are meshed")
            let peers = samples.of("erlang_vm_dist_node_state", node: node)
            #expect(Set(peers.compactMap { $0.labels["peer"] }) == others, "hidden nodes (ours) are left out")
            #expect(peers.allSatisfy { $0.value == 3 }, "3 is up, as in prometheus.erl")
            for reason in ["timeout", "badrpc", "decode"] {
                #expect(samples.value("exesdb_exporter_collector_errors_total", node: node, ["reason": reason]) == 0)
            }
            let duration = samples.value(
                "exesdb_exporter_collector_duration_seconds", node: node, ["collector": "beam"])
            #expect((duration ?? 0) > 0 && (duration ?? 99) < 5)
            print("BEAM collector: one poll of \(node) (five rex calls) took \(duration ?? .nan) s")
        }
        #expect(logs.all.filter { $0.level >= .warning }.isEmpty, "\(logs.text)")
        try await expectOnlyTheCollectorsCalls(cluster, name: "vm1")
        let promtool = try await promtoolCheck(samples.text)
        #expect(promtool.status == 0, "promtool check metrics: \(promtool.output)")
    }

    func expectSystemInfo(_ samples: Samples, node: String, report: Report) throws {
        let info = samples.of("erlang_vm_info", node: node)
        #expect(info.count == 1)
        #expect(info.first?.labels["otp_release"] == report.systemInfo("otp_release")?.text)
        #expect(info.first?.labels["erts_version"] == report.systemInfo("version")?.text)
        // Limits and scheduler counts do not move: exactly the node's.
        let exact = [
            ("erlang_vm_process_limit", "process_limit"), ("erlang_vm_port_limit", "port_limit"),
            ("erlang_vm_atom_limit", "atom_limit"), ("erlang_vm_ets_limit", "ets_limit"),
            ("erlang_vm_schedulers", "schedulers"), ("erlang_vm_schedulers_online", "schedulers_online"),
            ("erlang_vm_dirty_cpu_schedulers", "dirty_cpu_schedulers"),
            ("erlang_vm_dirty_cpu_schedulers_online", "dirty_cpu_schedulers_online"),
            ("erlang_vm_dirty_io_schedulers", "dirty_io_schedulers"), ("erlang_vm_wordsize_bytes", "wordsize"),
        ]
        for (family, item) in exact {
            let expected = try #require(report.systemInfo(item)?.number, "\(item)")
            #expect(samples.value(family, node: node) == expected, "\(family) of \(node)")
        }
        // Counts move a little between the poll and the report (rex spawns a process per call).
        let counts = [
            ("erlang_vm_processes", "process_count", 10.0), ("erlang_vm_ports", "port_count", 3),
            ("erlang_vm_atoms", "atom_count", 50), ("erlang_vm_memory_ets_tables", "ets_count", 3),
        ]
        for (family, item, slack) in counts {
            let expected = try #require(report.systemInfo(item)?.number, "\(item)")
            let served = try #require(samples.value(family, node: node), "\(family)")
            #expect(abs(served - expected) <= slack, "\(family) of \(node): \(served), the node says \(expected)")
        }
    }

    func expectMemory(_ samples: Samples, node: String, report: Report) throws {
        func near(_ served: Double?, _ expected: Double?, _ what: String) {
            guard let served, let expected else {
                Issue.record("\(what) of \(node) missing")
                return
            }
            // Memory moves between two calls a moment apart: within 15% or 1 MiB.
            let slack = max(expected * 0.15, 1_048_576)
            #expect(abs(served - expected) <= slack, "\(what) of \(node): \(served), the node says \(expected)")
        }
        for kind in ["system", "processes"] {
            near(samples.value("erlang_vm_memory_bytes", node: node, ["kind": kind]), report.memory(kind), kind)
        }
        for usage in ["atom", "binary", "code", "ets"] {
            near(
                samples.value("erlang_vm_memory_system_bytes", node: node, ["usage": usage]), report.memory(usage),
                usage)
        }
        near(
            samples.value("erlang_vm_memory_processes_bytes", node: node, ["usage": "used"]),
            report.memory("processes_used"), "processes_used")
        near(
            samples.value("erlang_vm_memory_atom_bytes", node: node, ["usage": "used"]), report.memory("atom_used"),
            "atom_used")
        // The parts of system memory add up to it.
        let parts = ["atom", "binary", "code", "ets", "other"].compactMap {
            samples.value("erlang_vm_memory_system_bytes", node: node, ["usage": $0])
        }
        #expect(
            parts.count == 5
                && parts.reduce(0, +) == samples.value("erlang_vm_memory_bytes", node: node, ["kind": "system"]))
    }

    /// Counters the node keeps: what we serve came first, so it is at most what the node says a
    /// moment later, and it is the node's (not zero, not ours).
    func expectStatistics(_ samples: Samples, node: String, report: Report) throws {
        let statistics: [(String, Term?, Double)] = [
            ("erlang_vm_statistics_reductions_total", report.statistics("reductions")?.field(0), 1),
            ("erlang_vm_statistics_context_switches_total", report.statistics("context_switches")?.field(0), 1),
            (
                "erlang_vm_statistics_garbage_collection_number_of_gcs_total",
                report.statistics("garbage_collection")?.field(0), 1
            ),
            (
                "erlang_vm_statistics_garbage_collection_words_reclaimed_total",
                report.statistics("garbage_collection")?.field(1), 1
            ),
            ("erlang_vm_statistics_bytes_received_total", report.statistics("io")?.field(0)?.field(1), 1),
            ("erlang_vm_statistics_bytes_output_total", report.statistics("io")?.field(1)?.field(1), 1),
            ("erlang_vm_statistics_runtime_seconds_total", report.statistics("runtime")?.field(0), 0.001),
            ("erlang_vm_statistics_wallclock_time_seconds_total", report.statistics("wall_clock")?.field(0), 0.001),
        ]
        for (family, term, scale) in statistics {
            let expected = try #require(term?.number, "\(family)") * scale
            let served = try #require(samples.value(family, node: node), "\(family)")
            #expect(
                served > 0 && served <= expected, "\(family) of \(node): \(served), the node says \(expected) later")
        }
        let wordsize = try #require(report.systemInfo("wordsize")?.number)
        #expect(
            samples.value("erlang_vm_statistics_garbage_collection_bytes_reclaimed_total", node: node)
                == samples.value("erlang_vm_statistics_garbage_collection_words_reclaimed_total", node: node).map {
                    $0 * wordsize
                })
        #expect((samples.value("erlang_vm_statistics_run_queues_length", node: node) ?? -1) >= 0)
    }

    /// The node saw only the collector's five calls per poll, all of functions it has (no module
    /// of ours): two lists:map of erlang BIFs, memory, which_applications, nodes_info.
    func expectOnlyTheCollectorsCalls(_ cluster: WitnessCluster, name: String) async throws {
        let calls = try await cluster.ourRexCalls(name, atLeast: 5)
        let expected = [
            "lists:map erlang:system_info/1", "lists:map erlang:statistics/1", "erlang:memory",
            "application:which_applications", "net_kernel:nodes_info",
        ]
        #expect(calls.map(\.described) == expected, "\(calls)")
    }

    func promtoolCheck(_ text: String) async throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("beam-\(UUID()).prom").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try await ErlangTools.run("sh", ["-c", "promtool check metrics < '\(file)'"])
        return (result.status, result.output)
    }
}

extension RexCall {
    /// `module:function`, with the fun a lists:map applies.
    var described: String {
        guard module == "lists", function == "map", case .export(let fun)? = arguments.first else {
            return "\(module):\(function)"
        }
        return "lists:map \(fun.module.name):\(fun.function.name)/\(fun.arity)"
    }
}
