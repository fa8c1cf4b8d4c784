import Foundation
import Testing

/// A real BEAM (`erl` from Debian's erlang-base) running the test fixtures.
enum ErlangRuntime {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The fixtures compiled once per test run with `erlc`.
    static let compiled: Result<URL, Failure> = {
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("exesdb-erl-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            let sources = try FileManager.default.contentsOfDirectory(atPath: fixtures.path)
                .filter { $0.hasSuffix(".erl") }.map { fixtures.appendingPathComponent($0).path }
            let result = try run("erlc", ["-o", output.path] + sources)
            guard result.status == 0 else { return .failure(Failure(description: "erlc failed: \(result.output)")) }
            return .success(output)
        } catch {
            return .failure(Failure(description: "cannot run erlc (install erlang-base): \(error)"))
        }
    }()

    /// Evaluates `expression` (which must not call halt) in a fresh BEAM and returns what it printed.
    static func eval(_ expression: String) throws -> String {
        let directory = try compiled.get()
        let result = try run("erl", ["-noshell", "-pa", directory.path, "-eval", "\(expression), halt()."])
        guard result.status == 0 else {
            throw Failure(description: "erl exited with \(result.status): \(result.output)")
        }
        return result.output
    }

    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("exesdb-\(UUID().uuidString)-\(name)")
    }

    private static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Length-prefixed records as the Erlang fixture reads and writes them.
struct RecordReader {
    private let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }

    mutating func u8() -> Int {
        defer { position += 1 }
        return Int(bytes[position])
    }

    mutating func u16() -> Int { u8() << 8 | u8() }

    mutating func u32() -> Int { u16() << 16 | u16() }

    mutating func take(_ count: Int) -> [UInt8] {
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: Int, bytes: Int) {
        for shift in stride(from: (bytes - 1) * 8, through: 0, by: -8) {
            append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }
}
