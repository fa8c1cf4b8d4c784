import BEAMPeers
import Foundation
import Testing

/// scripts/fuzz.sh without its build (minutes with sanitizers, and not CI's to run): it runs
/// every target the harness makes, each at least as long as issue 14 asks, and the proofs page
/// gives the figures measured for each.
@Suite struct FuzzScriptTests {
    struct Listed: Equatable {
        let name: String
        let runs: Int
    }

    static func listed() async throws -> [Listed] {
        let result = try await Tool.run(Repository.path("scripts/fuzz.sh"), package: "(the repository)", ["--list"])
        #expect(result.status == 0, "\(result.output)")
        return result.output.split(separator: "\n").compactMap { line in
            guard let match = line.wholeMatch(of: /([a-z]+) runs=([0-9]+) max_len=[0-9]+/), let runs = Int(match.2)
            else { return nil }
            return Listed(name: String(match.1), runs: runs)
        }
    }

    @Test func theScriptRunsEveryTargetTheHarnessMakesLongEnough() async throws {
        let harness = try Repository.text("Fuzz/Sources/ExporterFuzz/Harness.swift")
        let made = harness.matches(of: /\("([a-z]+)", \{/).map { String($0.output.1) }
        let listed = try await Self.listed()
        #expect(!made.isEmpty)
        #expect(listed.map(\.name) == made)
        for target in listed {
            let least = ["term", "scanner"].contains(target.name) ? 10_000_000 : 1_000_000
            #expect(target.runs >= least, "\(target.name) runs \(target.runs) times by default, fewer than \(least)")
        }
    }

    /// Each target has a row in docs/proofs.md with its executions, no crash and no sanitizer report.
    @Test func theProofsGiveEveryTargetsFigures() async throws {
        let proofs = try Repository.text("docs/proofs.md")
        for target in try await Self.listed() {
            let row = proofs.split(separator: "\n").first { $0.hasPrefix("| `\(target.name)` |") }
            let cells = row?.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
            #expect(cells.count >= 7, "no row for \(target.name) in docs/proofs.md's fuzzing table")
            guard cells.count >= 7 else { continue }
            let executions = Int(cells[2].replacingOccurrences(of: ",", with: "")) ?? 0
            #expect(executions >= target.runs, "\(target.name): \(cells[2]) executions, fewer than \(target.runs)")
            #expect(cells[5] == "0", "\(target.name): crashes \(cells[5])")
            #expect(cells[6] == "0", "\(target.name): sanitizer reports \(cells[6])")
        }
    }

    @Test func anUnknownTargetIsRefusedBeforeAnyBuild() async throws {
        let result = try await Tool.run(
            Repository.path("scripts/fuzz.sh"), package: "(the repository)", ["no_such_target"])
        #expect(result.status == 2)
        #expect(result.output.contains("unknown target no_such_target (see --list)"), "\(result.output)")
        #expect(!result.output.contains("building"))
    }
}
