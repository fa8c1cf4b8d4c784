import BEAMPeers
import Foundation
import Testing

/// What scripts/ need from the machine: with a prebuilt exporter (EXESDB_EXPORTER_BIN), no Swift.
@Suite struct ScriptsTests {
    /// A directory holding a `swift` that notes each call and fails, to put first on PATH: a script
    /// that calls Swift fails and leaves the note.
    struct SwiftThatMustNotRun {
        let directory: String
        var note: String { "\(directory)/swift-was-called" }
        var environment: [String: String] {
            ["PATH": "\(directory):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")"]
        }

        init() throws {
            directory = try Repository.temporaryDirectory("no-swift")
            let script = "#!/bin/sh\necho \"swift $*\" >>'\(directory)/swift-was-called'\nexit 1\n"
            try script.write(toFile: "\(directory)/swift", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(directory)/swift")
        }

        var calls: String? { try? String(contentsOfFile: note, encoding: .utf8) }
        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    @Test func runWithAPrebuiltExporterNeedsNoSwift() async throws {
        let swift = try SwiftThatMustNotRun()
        defer { swift.remove() }
        let result = try await Tool.run(
            Repository.path("scripts/run.sh"), package: "(the repository)", ["--version"],
            environment: swift.environment.merging(["EXESDB_EXPORTER_BIN": Repository.exporterBinary]) { $1 })
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("revision:"), "not the exporter's --version: \(result.output)")
        #expect(swift.calls == nil, "scripts/run.sh called Swift: \(swift.calls ?? "")")
    }

    @Test func aPrebuiltExporterThatIsNotThereIsNamed() async throws {
        let result = try await Tool.run(
            Repository.path("scripts/run.sh"), package: "(the repository)", ["--version"],
            environment: ["EXESDB_EXPORTER_BIN": "/nonexistent/exesdb_exporter"])
        #expect(result.status == 64, "\(result.output)")
        #expect(result.output.contains("EXESDB_EXPORTER_BIN=/nonexistent/exesdb_exporter is not an executable file"))
    }
}
