import Foundation

/// The BEAM side of a benchmark: compiles `benchmarks/erlang/*.erl`, runs one function, and
/// returns the `key value` lines it printed.
struct BeamPeer {
    let sourceDirectory: URL

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func run(_ expression: String) throws -> [String: String] {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("exesdb-bench-\(getpid())")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: output) }
        let sources = try FileManager.default.contentsOfDirectory(atPath: sourceDirectory.path)
            .filter { $0.hasSuffix(".erl") }.map { sourceDirectory.appendingPathComponent($0).path }
        _ = try execute("erlc", ["-o", output.path] + sources)
        let printed = try execute("erl", ["-noshell", "-pa", output.path, "-eval", "\(expression), halt()."])
        var values: [String: String] = [:]
        for line in printed.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        return values
    }

    private func execute(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(tool) failed (is erlang-base installed?): \(text)")
        }
        return text
    }
}
