import Foundation

/// Runs the BEAM's command-line tools (`erl`, `erlc`, `epmd` from Debian's erlang-base).
public enum ErlangTools {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `tool` to completion and returns its exit status and combined output. The run and the
    /// wait happen on a thread of their own (`offThePool`): a tool can take seconds on a loaded
    /// machine, and a thread of the cooperative pool held that long starves the code under test.
    /// `input`, when given, is the tool's standard input (from a file, so that a tool that writes
    /// before it has read everything cannot deadlock against us).
    public static func run(
        _ tool: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil
    ) async throws -> (status: Int32, output: String) {
        try await offThePool { try runHere(tool, arguments, environment: environment, input: input) }
    }

    /// `run` on the calling thread, which it blocks: never call it on the cooperative pool.
    private static func runHere(
        _ tool: String, _ arguments: [String], environment: [String: String], input: String?
    ) throws -> (status: Int32, output: String) {
        let process = try makeProcess(tool, arguments, environment: environment)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        var inputFile: String?
        defer { if let inputFile { try? FileManager.default.removeItem(atPath: inputFile) } }
        if let input {
            let path = NSTemporaryDirectory() + "exesdb-stdin-\(UUID().uuidString)"
            try input.write(toFile: path, atomically: false, encoding: .utf8)
            inputFile = path
            process.standardInput = FileHandle(forReadingAtPath: path)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        do {
            try process.run()
        } catch {
            throw Failure(description: "cannot run \(tool) (install erlang-base): \(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func makeProcess(_ tool: String, _ arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let overrides = crashDump.merging(environment) { $1 }
        process.environment = ProcessInfo.processInfo.environment.merging(overrides) { $1 }
        return process
    }

    /// A node a test ends on purpose (its boot process exits) writes a crash dump into its working
    /// directory, the checkout: keep the latest one in the temporary directory instead.
    static let crashDump = ["ERL_CRASH_DUMP": NSTemporaryDirectory() + "exesdb_exporter-tests-erl_crash.dump"]

    /// A TCP port on loopback that nothing listens on right now.
    public static func freePort() -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Erlang fixture modules, compiled once with `erlc`.
public struct ErlangFixtures: Sendable {
    /// Where the compiled `.beam` files are.
    public let beamDirectory: String

    /// Compiles every `.erl` file in `sourceDirectory` into a fresh temporary directory.
    public init(sourceDirectory: String) async throws {
        try await self.init(sourceDirectories: [sourceDirectory])
    }

    /// Compiles every `.erl` file of all `sourceDirectories` together (erlc runs off the pool).
    public init(sourceDirectories: [String]) async throws {
        try await self.init(sources: try sourceDirectories.flatMap { try Self.sources(in: $0) })
    }

    static func sources(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".erl") }.sorted().map { "\(directory)/\($0)" }
    }

    /// Compiles the `.erl` files `sources` into a fresh temporary directory.
    init(sources: [String]) async throws {
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("exesdb-beam-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let result = try await StartupSlots.beams.withSlot {
            try await ErlangTools.run("erlc", ["-o", output] + sources)
        }
        guard result.status == 0 else { throw ErlangTools.Failure(description: "erlc failed: \(result.output)") }
        beamDirectory = output
    }

    /// Evaluates `expression` in a fresh, non-distributed BEAM and returns what it printed.
    public func eval(_ expression: String) async throws -> String {
        // The whole run takes a slot: most such runs are a BEAM's start and a moment's work.
        let result = try await StartupSlots.beams.withSlot {
            try await ErlangTools.run("erl", ["-noshell", "-pa", beamDirectory, "-eval", "\(expression), halt()."])
        }
        guard result.status == 0 else {
            throw ErlangTools.Failure(description: "erl exited with \(result.status): \(result.output)")
        }
        return result.output
    }
}
