import BEAMPeers
import Foundation
import Testing

/// The BEAM collector in the binary, against real `erl` nodes (the vm_witness fixture, which
/// prints each rex call it receives): every node's VM families are served, a frozen node never
/// delays a scrape nor the other nodes' figures, and `--no-collector.beam` makes no rex call.
@Suite(.serialized) struct BEAMCollectorBinaryTests {
    static let fixtures = Task<ErlangFixtures, any Error> {
        try await ErlangFixtures(shared: [.vmWitness])
    }

    /// Starts `names` meshed with each other (each pings those before it).
    static func witnesses(_ names: [String]) async throws -> (ErlangCluster, [String: BackgroundProcess]) {
        let cluster = try await ErlangCluster(fixtures: try await fixtures.value)
        var nodes: [String: BackgroundProcess] = [:]
        for name in names {
            let peers = nodes.keys.sorted().map { "'\($0)@localhost'" }.joined(separator: ", ")
            nodes[name] = try await cluster.startNode(name, expression: "vm_witness:start([\(peers)])")
        }
        return (cluster, nodes)
    }

    static func environment(_ cluster: ErlangCluster) -> [String: String] {
        cluster.environment.merging(["ERLANG_COOKIE": cluster.cookie, "SECRET_KEY_BASE": "beam-secret"]) { $1 }
    }

    /// Three nodes found from one seed; one frozen with SIGSTOP for longer than the collector's
    /// timeout: scrapes made while its call waits answer at once, the other nodes' figures keep
    /// moving, and the stall is counted once the timeout passes.
    @Test func eachNodesVMIsServedAndAFrozenNodeDelaysNothing() async throws {
        let (cluster, nodes) = try await Self.witnesses(["bw1", "bw2", "bw3"])
        defer { for node in nodes.values { node.stopNow() } }
        let exporter = try RunningExporter(
            [
                "--erlang.nodes=bw1@localhost", "--erlang.name=beam_cli@localhost",
                "--collector.beam.interval=1s", "--collector.beam.timeout=8s",
            ], environment: Self.environment(cluster))
        defer { exporter.stop() }
        let names = ["bw1@localhost", "bw2@localhost", "bw3@localhost"]
        let served = try await poll(timeout: .seconds(60), every: .milliseconds(500)) { () async -> [Sample]? in
            guard let samples = try? await exporter.samples() else { return nil }
            let read = Set(samples.named("erlang_vm_info").compactMap { $0.labels["node"] })
            let meshed = names.allSatisfy { node in
                samples.named("erlang_vm_dist_node_state").count { $0.labels["node"] == node } == 2
            }
            return read == Set(names) && meshed ? samples : nil
        }
        let samples = try #require(served, "not every node's VM within 60 s: \(exporter.lines.suffix(20))")
        for family in Self.families {
            for node in names {
                #expect(samples.named(family).contains { $0.labels["node"] == node }, "\(family) for \(node)")
            }
        }
        #expect(samples.named("erlang_vm_statistics_reductions_total").allSatisfy { $0.value > 0 })
        let scrape = try await exporter.get("/metrics")
        let promtool = try await Self.promtoolCheck(scrape.body)
        #expect(promtool.status == 0, "promtool check metrics: \(promtool.output)")

        try await nodes["bw3"]?.freeze()
        try await withCleanup {
            try await scrapesGoOnWhileACallWaits(exporter, frozen: "bw3@localhost", running: "bw1@localhost")
        } finally: {
            nodes["bw3"]?.thaw()
        }
        let stalls = exporter.lines.filter { $0.contains("did not answer the BEAM collector") }
        #expect(stalls.count == 1 && stalls[0].contains("node=bw3@localhost"), "\(stalls)")
    }

    /// Scrapes once a second while `frozen` holds the collector's call: each answers within a
    /// few seconds (a scrape that waited for the call would take the whole 8 s timeout, and
    /// `--max-time` ends it first), with `running`'s reductions moving; until the timeout counts.
    func scrapesGoOnWhileACallWaits(_ exporter: RunningExporter, frozen: String, running: String) async throws {
        var reductions: [Double] = []
        var scrapesBeforeTheTimeout = 0
        let counted = try await poll(timeout: .seconds(30), every: .seconds(1)) { () async throws -> Bool? in
            let answer = try await exporter.get("/metrics", ["--max-time", "4"])
            let samples = Sample.parse(answer.body)
            if let value = samples.named("erlang_vm_statistics_reductions_total").first(where: {
                $0.labels["node"] == running
            })?.value {
                reductions.append(value)
            }
            let timeouts =
                samples.named("exesdb_exporter_collector_errors_total").first {
                    $0.labels["node"] == frozen && $0.labels["reason"] == "timeout"
                }?.value ?? 0
            if timeouts == 0 { scrapesBeforeTheTimeout += 1 }
            return timeouts >= 1 ? true : nil
        }
        #expect(counted == true, "the frozen node's stall was never counted")
        #expect(scrapesBeforeTheTimeout >= 3, "scrapes answered while the call waited: \(scrapesBeforeTheTimeout)")
        #expect(Set(reductions).count >= 3, "the running node's figures kept moving: \(reductions)")
    }

    /// One exporter with `--no-collector.beam` (and no discovery, which also calls rex), then one
    /// with the collector: the nodes print every rex call they receive, and only the second's come.
    @Test func withoutTheCollectorNoNodeGetsARexCall() async throws {
        let (cluster, nodes) = try await Self.witnesses(["nw1", "nw2"])
        defer { for node in nodes.values { node.stopNow() } }
        let seeds = ["--erlang.nodes=nw1@localhost", "--erlang.nodes=nw2@localhost", "--no-cluster.discover"]
        let off = try RunningExporter(
            seeds + ["--erlang.name=beam_off@localhost", "--no-collector.beam"], environment: Self.environment(cluster))
        defer { off.stop() }
        try await eventually("connected to both", timeout: .seconds(30), every: .milliseconds(200)) {
            ((try? await off.samples()) ?? []).named("exesdb_exporter_peer_up").count { $0.value == 1 } == 2
        }
        let on = try RunningExporter(
            seeds + ["--erlang.name=beam_on@localhost", "--collector.beam.interval=1s"],
            environment: Self.environment(cluster))
        defer { on.stop() }
        for node in nodes.values {
            // Two whole polls of the second exporter: by then the first had longer, and made none.
            try await eventually("two polls reach the node", timeout: .seconds(30), every: .milliseconds(200)) {
                node.lines.count { $0.contains("rex call from beam_on@localhost: erlang:memory/0") } >= 2
            }
            let calls = node.lines.filter { $0.contains("rex call from") }
            #expect(!calls.contains { $0.contains("beam_off@localhost") }, "\(calls)")
            #expect(
                Set(calls.map { $0.replacingOccurrences(of: #"^.*: "#, with: "", options: .regularExpression) })
                    == [
                        "lists:map/2", "erlang:memory/0", "application:which_applications/0", "net_kernel:nodes_info/0",
                    ])
        }
        let text = try await off.get("/metrics").body
        #expect(!text.contains("erlang_vm_"), "no BEAM family at all without the collector")
    }

    /// Every family of the collector (BEAMFamilies).
    static let families = [
        "erlang_vm_memory_bytes", "erlang_vm_memory_system_bytes", "erlang_vm_memory_processes_bytes",
        "erlang_vm_memory_atom_bytes", "erlang_vm_memory_ets_tables", "erlang_vm_processes", "erlang_vm_process_limit",
        "erlang_vm_ports", "erlang_vm_port_limit", "erlang_vm_atoms", "erlang_vm_atom_limit", "erlang_vm_ets_limit",
        "erlang_vm_schedulers", "erlang_vm_schedulers_online", "erlang_vm_dirty_cpu_schedulers",
        "erlang_vm_dirty_cpu_schedulers_online", "erlang_vm_dirty_io_schedulers", "erlang_vm_wordsize_bytes",
        "erlang_vm_statistics_bytes_received_total", "erlang_vm_statistics_bytes_output_total",
        "erlang_vm_statistics_context_switches_total", "erlang_vm_statistics_garbage_collection_number_of_gcs_total",
        "erlang_vm_statistics_garbage_collection_words_reclaimed_total",
        "erlang_vm_statistics_garbage_collection_bytes_reclaimed_total", "erlang_vm_statistics_reductions_total",
        "erlang_vm_statistics_runtime_seconds_total", "erlang_vm_statistics_wallclock_time_seconds_total",
        "erlang_vm_statistics_run_queues_length", "erlang_vm_statistics_dirty_cpu_run_queue_length",
        "erlang_vm_statistics_dirty_io_run_queue_length", "erlang_vm_info", "exesdb_node_application_info",
        "erlang_vm_dist_node_state", "exesdb_exporter_collector_duration_seconds",
        "exesdb_exporter_collector_errors_total",
    ]

    static func promtoolCheck(_ text: String) async throws -> (status: Int32, output: String) {
        let file = "\(try temporaryDirectory("beam-scrape"))/metrics.prom"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await ErlangTools.run("sh", ["-c", "promtool check metrics < '\(file)'"])
        return (result.status, result.output)
    }
}
