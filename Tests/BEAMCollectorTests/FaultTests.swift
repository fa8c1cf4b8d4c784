import BEAMPeers
import ErlangTerm
import Foundation
import Logging
import MetricsStore
import Testing

@testable import BEAMCollector

/// A node that stops answering, restarts, or lacks an item: the rest is still reported, the
/// problem is counted and logged once, and no poll gets stuck.
@Suite(.serialized) struct FaultTests {
    /// SIGSTOP on one node: each poll of it times out and is counted, the other nodes' figures
    /// keep coming, and the frozen node never holds more than one of our calls (counted on the
    /// node itself once it runs again).
    @Test func aFrozenNodeTimesOutWhileTheOthersKeepComing() async throws {
        let cluster = try await WitnessCluster(["fz1", "fz2", "fz3"])
        let (frozen, running) = (WitnessCluster.full("fz3"), WitnessCluster.full("fz1"))
        let store = MetricsStore()
        let logs = LogRecorder()
        let collector = try BEAMCollector(
            node: cluster.node, store: store, configuration: BEAMCollectorConfiguration(timeout: .seconds(3)),
            logger: logs.logger(), followed: { cluster.followed })
        await collector.pollOnce()
        // One whole poll: five calls.
        let callsBefore = try await cluster.ourRexCalls("fz3", atLeast: 5).count
        var reductions = try #require(Samples(store).value("erlang_vm_statistics_reductions_total", node: running))
        try await cluster.freeze("fz3")
        try await withCleanup {
            for round in 1...3 {
                // Ends at the frozen node's timeout: a poll never waits for it longer.
                try await withTimeout(.seconds(30)) { await collector.pollOnce() }
                let samples = Samples(store)
                #expect(
                    samples.value("exesdb_exporter_collector_errors_total", node: frozen, ["reason": "timeout"])
                        == Double(round))
                let now = try #require(samples.value("erlang_vm_statistics_reductions_total", node: running))
                #expect(now > reductions, "round \(round): the running nodes' figures keep coming")
                reductions = now
                #expect(
                    samples.value("erlang_vm_processes", node: frozen) != nil, "a frozen node keeps its last figures")
            }
        } finally: {
            cluster.thaw("fz3")
        }
        // Thawed, it answers the one call it held; the next poll is whole, and the node received
        // nothing else: the two polls in between sent nothing.
        try await eventually("the late answer arrives") { !collector.busyNodes.contains(frozen) }
        let frozenReductions = try #require(Samples(store).value("erlang_vm_statistics_reductions_total", node: frozen))
        await collector.pollOnce()
        let thawed = Samples(store)
        #expect(thawed.value("exesdb_exporter_collector_errors_total", node: frozen, ["reason": "timeout"]) == 3)
        #expect((thawed.value("erlang_vm_statistics_reductions_total", node: frozen) ?? 0) > frozenReductions)
        let calls = try await cluster.ourRexCalls("fz3", atLeast: callsBefore + 1 + 5)
        #expect(calls.count == callsBefore + 1 + 5, "the held call and one whole poll: \(calls.dropFirst(callsBefore))")
        #expect(calls.dropFirst(callsBefore).first?.described == "lists:map erlang:system_info/1")
        let warnings = logs.lines(level: .warning, containing: "did not answer the BEAM collector")
        #expect(warnings.count == 1, "one line for the stall, not one per poll: \(warnings)")
        #expect(!logs.lines(level: .info, containing: "answers the BEAM collector again").isEmpty)
    }

    /// Stopping the collector (its task cancelled, as at shutdown) while a frozen node holds its
    /// call ends that poll at once, and logs nothing against the node: the stall was ours to end.
    @Test func stoppingEndsAPollThatWaitsOnAFrozenNode() async throws {
        let cluster = try await WitnessCluster(["st1"])
        let node = WitnessCluster.full("st1")
        let store = MetricsStore()
        let logs = LogRecorder()
        let collector = try BEAMCollector(
            node: cluster.node, store: store, configuration: BEAMCollectorConfiguration(timeout: .seconds(120)),
            logger: logs.logger(), followed: { cluster.followed })
        try await cluster.freeze("st1")
        try await withCleanup {
            let running = Task { await collector.run() }
            try await eventually("the call is sent") { collector.busyNodes.contains(node) }
            running.cancel()
            try await withTimeout(.seconds(60)) { await running.value }
        } finally: {
            cluster.thaw("st1")
        }
        #expect(Samples(store).ofNode(node).isEmpty, "a retired node's series are gone")
        #expect(logs.all.filter { $0.level >= .warning }.isEmpty, "\(logs.text)")
    }

    /// A node killed and started again under its name: over the new connection its series are
    /// made anew (counters from the new node's own zero, a later `_created`), and none is left
    /// of it while it is away.
    @Test func aRestartedNodeStartsItsCountersAgain() async throws {
        let cluster = try await WitnessCluster(["rs1", "rs2"])
        let node = WitnessCluster.full("rs2")
        let store = MetricsStore()
        let collector = try BEAMCollector(
            node: cluster.node, store: store, logger: Logger(label: "test"), followed: { cluster.followed })
        // Old enough that the restarted node is surely younger when polled.
        try await eventually("rs2 has run for 8 s", timeout: .seconds(60), every: .milliseconds(500)) {
            await collector.pollOnce()
            return (Samples(store).value("erlang_vm_statistics_wallclock_time_seconds_total", node: node) ?? 0) >= 8
        }
        let before = Samples(store)
        let stoppedAt = Date().timeIntervalSince1970
        await cluster.stop("rs2")
        try await eventually("rs2 seen down") { cluster.followed[node] == nil }
        await collector.pollOnce()
        #expect(Samples(store).ofNode(node).isEmpty, "no series of a node not followed")
        #expect(!Samples(store).ofNode(WitnessCluster.full("rs1")).isEmpty)

        try await cluster.start("rs2")
        try await eventually("rs2 followed again") { cluster.followed[node] != nil }
        await collector.pollOnce()
        let after = Samples(store)
        let report = try await cluster.report("rs2")
        for family in [
            "erlang_vm_statistics_wallclock_time_seconds_total", "erlang_vm_statistics_reductions_total",
            "erlang_vm_statistics_context_switches_total",
        ] {
            let old = try #require(before.value(family, node: node))
            let new = try #require(after.value(family, node: node))
            #expect(new < old, "\(family) starts again: \(old) before, \(new) after")
        }
        let wallClock = try #require(report.statistics("wall_clock")?.field(0)?.number)
        #expect(
            (after.value("erlang_vm_statistics_wallclock_time_seconds_total", node: node) ?? .infinity) <= wallClock
                / 1000)
        let created = Samples(store, format: .openMetrics).value(
            "erlang_vm_statistics_reductions_created", node: node)
        #expect((created ?? 0) >= stoppedAt, "the counter's _created is the new connection's")
        #expect(after.value("exesdb_exporter_collector_errors_total", node: node, ["reason": "timeout"]) == 0)
    }

    /// Items an older release lacks (here: names no release has): each is counted once and left
    /// out of later polls, the rest of the poll is reported, and one line is logged per item.
    @Test func anItemTheNodeLacksIsSkippedAndCountedOnce() async throws {
        let cluster = try await WitnessCluster(["lk1"])
        let node = WitnessCluster.full("lk1")
        let store = MetricsStore()
        let logs = LogRecorder()
        let configuration = BEAMCollectorConfiguration(
            systemInfoItems: VMItems.systemInfo + ["no_such_item"],
            statisticsItems: ["no_such_statistic"] + VMItems.statistics)
        let collector = try BEAMCollector(
            node: cluster.node, store: store, configuration: configuration, logger: logs.logger(),
            followed: { cluster.followed })
        await collector.pollOnce()
        await collector.pollOnce()
        let samples = Samples(store)
        #expect(samples.value("exesdb_exporter_collector_errors_total", node: node, ["reason": "badrpc"]) == 2)
        #expect(samples.value("exesdb_exporter_collector_errors_total", node: node, ["reason": "decode"]) == 0)
        // All but the distribution's: a node alone has no peer.
        for descriptor in BEAMFamilies.descriptors where descriptor.name != "erlang_vm_dist_node_state" {
            #expect(!samples.of(descriptor.name, node: node).isEmpty, "\(descriptor.name) has no series")
        }
        let warnings = logs.lines(level: .warning, containing: "could not answer a BEAM collector call")
        #expect(warnings.count == 2 && warnings.contains { $0.contains("item=erlang:system_info(no_such_item)") })
        // The second poll asks without them.
        let calls = try await cluster.ourRexCalls("lk1", atLeast: 2 * 5 + 2)
        let lastBatches = calls.filter { $0.module == "lists" }.suffix(2)
        #expect(lastBatches.count == 2)
        for batch in lastBatches {
            let items = batch.arguments.last?.elements ?? []
            #expect(!items.contains(.atom("no_such_item")) && !items.contains(.atom("no_such_statistic")))
        }
    }
}
