import ErlangTerm
import Testing

@testable import BEAMCollector

/// Answers of shapes a node should not send (a newer release, a changed function): what can be
/// read is reported, the rest is one decode problem each, never a crash.
@Suite struct AnswerShapeTests {
    @Test func memoryWithoutSomeKindsReportsTheOthers() {
        let answer: Term = .list([
            .tuple([.atom("total"), 100]), .tuple([.atom("processes"), 40]), .tuple([.atom("system"), 60]),
            .tuple([.atom("atom"), 5]), .tuple([.atom("binary"), 10]),
        ])
        let reading = VMReadings.memory(answer)
        #expect(reading.updates.contains(.gauge("erlang_vm_memory_bytes", 60, ["system"])))
        #expect(reading.updates.contains(.gauge("erlang_vm_memory_system_bytes", 10, ["binary"])))
        #expect(!reading.updates.contains { if case .gauge(_, _, ["other"]) = $0 { true } else { false } })
        #expect(reading.problems.map(\.reason) == [.decode])
        #expect(reading.problems.first?.found == "no code, ets, processes_used, atom_used")
    }

    @Test func answersOfAnotherShapeAreOneDecodeProblemEach() {
        for reading in [
            VMReadings.memory(.atom("undefined")), VMReadings.memory(.list([.integer(1)])),
            VMReadings.applications(.map([])), VMReadings.distribution(.list([])),
            VMReadings.distribution(.tuple([.atom("error"), .atom("not_allowed")])),
        ] {
            #expect(reading.updates.isEmpty)
            #expect(reading.problems.count == 1 && reading.problems[0].reason == .decode)
        }
    }

    @Test func statisticsOfAnotherShapeAreSkippedOneByOne() {
        let reading = VMReadings.statistics(
            [
                "reductions": .tuple([123, 4]), "context_switches": .atom("undefined"), "io": .tuple([1, 2]),
                "run_queue": .binary([1]), "run_queue_lengths_all": .string([0, 1, 2, 3]),
                "garbage_collection": .tuple([7, 8, 0]), "wall_clock": .tuple([.float(2500), 0]),
            ], wordsize: 8, schedulers: 2)
        #expect(reading.updates.contains(.counter("erlang_vm_statistics_reductions_total", 123)))
        #expect(reading.updates.contains(.counter("erlang_vm_statistics_garbage_collection_bytes_reclaimed_total", 64)))
        #expect(reading.updates.contains(.counter("erlang_vm_statistics_wallclock_time_seconds_total", 2.5)))
        #expect(reading.updates.contains(.gauge("erlang_vm_statistics_dirty_cpu_run_queue_length", 2)))
        #expect(reading.updates.contains(.gauge("erlang_vm_statistics_dirty_io_run_queue_length", 3)))
        let subjects = reading.problems.map(\.subject).sorted()
        #expect(
            subjects == [
                "erlang:statistics(context_switches)", "erlang:statistics(io)", "erlang:statistics(io)",
                "erlang:statistics(run_queue)",
            ])
    }

    /// A scheduler count no VM has (negative, fractional, past any Int) reads as unknown: the dirty
    /// run queues are then left out, never looked for at an index it names.
    @Test func anImpossibleSchedulerCountIsNoCount() {
        let huge: Term = .bigInteger(BigInteger(isNegative: false, magnitude: [UInt8](repeating: 0xFF, count: 12)))
        for count: Term in [-2, -1, .float(1.5), .float(1e300), huge, .atom("undefined")] {
            let info = VMReadings.systemInfo(["schedulers": count])
            #expect(info.schedulers == nil, "\(count)")
            let lengths: Term = .list([])
            let reading = VMReadings.statistics(
                ["run_queue_lengths_all": lengths], wordsize: 8, schedulers: info.schedulers)
            #expect(reading.updates.isEmpty)
        }
        // What a real VM answers is read.
        #expect(VMReadings.systemInfo(["schedulers": 8]).schedulers == 8)
        let reading = VMReadings.statistics(
            ["run_queue_lengths_all": .list([0, 0, 4, 5])], wordsize: 8, schedulers: 2)
        #expect(reading.updates.contains(.gauge("erlang_vm_statistics_dirty_io_run_queue_length", 5)))
        // A count that passed with a list whose length would overflow the index arithmetic.
        let past = VMReadings.statistics(["run_queue_lengths_all": .list([0, 0])], wordsize: 8, schedulers: .max)
        #expect(past.updates.isEmpty)
    }

    @Test func theDistributionLeavesHiddenNodesOutAndReadsEachState() {
        func connection(_ node: String, _ state: String, _ type: String) -> Term {
            .tuple([
                .atom(Atom(node)),
                .list([.tuple([.atom("state"), .atom(Atom(state))]), .tuple([.atom("type"), .atom(Atom(type))])]),
            ])
        }
        let answer: Term = .tuple([
            .atom("ok"),
            .list([
                connection("a@h", "up", "normal"), connection("b@h", "pending", "normal"),
                connection("exporter@h", "up", "hidden"), connection("c@h", "sideways", "normal"), .atom("junk"),
            ]),
        ])
        let reading = VMReadings.distribution(answer)
        #expect(reading.updates == [.members("erlang_vm_dist_node_state", [["a@h"]: 3, ["b@h"]: 1])])
        #expect(reading.problems.count == 1 && reading.problems[0].found == "the atom sideways")
    }

    @Test func applicationsKeepTheReadableEntries() {
        let answer: Term = .list([
            .tuple([.atom("kernel"), .string(Array("ERTS".utf8)), .string(Array("8.5.3".utf8))]),
            .tuple([.atom("ex_esdb"), .binary("ExESDB"), .binary("0.11.0")]),
            .tuple([.integer(1), .integer(2)]),
        ])
        let reading = VMReadings.applications(answer)
        #expect(
            reading.updates == [
                .members("exesdb_node_application_info", [["kernel", "8.5.3"]: 1, ["ex_esdb", "0.11.0"]: 1])
            ])
        #expect(reading.problems.map(\.subject) == ["application:which_applications/0 entry"])
    }

    @Test func theItemABadargNamesIsFound() {
        let reason: Term = .tuple([
            .atom("EXIT"),
            .tuple([
                .atom("badarg"),
                .list([
                    .tuple([.atom("erlang"), .atom("system_info"), .list([.atom("no_such_item")]), .list([])]),
                    .tuple([.atom("lists"), .atom("map_1"), .integer(2), .list([])]),
                ]),
            ]),
        ])
        #expect(NodePoller.itemRefused(reason, function: "system_info") == "no_such_item")
        #expect(NodePoller.itemRefused(reason, function: "statistics") == nil)
        #expect(NodePoller.itemRefused(.atom("nodedown"), function: "system_info") == nil)
        #expect(NodePoller.describe(reason) == "EXIT badarg")
    }
}
