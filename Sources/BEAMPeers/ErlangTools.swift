import Foundation

/// Runs the BEAM's command-line tools (`erl`, `erlc`, `epmd` from Debian's erlang-base).
public enum ErlangTools {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `tool` to completion and returns its exit status and combined output.
    public static func run(
        _ tool: String, _ arguments: [String], environment: [String: String] = [:]
    ) throws -> (status: Int32, output: String) {
        let process = try makeProcess(tool, arguments, environment: environment)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
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
    public init(sourceDirectory: String) throws {
        try self.init(sourceDirectories: [sourceDirectory])
    }

    /// Compiles every `.erl` file of all `sourceDirectories` together.
    public init(sourceDirectories: [String]) throws {
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("exesdb-beam-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let sources = try sourceDirectories.flatMap { directory in
            try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".erl") }.sorted().map { "\(directory)/\($0)" }
        }
        let result = try ErlangTools.run("erlc", ["-o", output] + sources)
        guard result.status == 0 else { throw ErlangTools.Failure(description: "erlc failed: \(result.output)") }
        beamDirectory = output
    }

    /// Evaluates `expression` in a fresh, non-distributed BEAM and returns what it printed.
    public func eval(_ expression: String) throws -> String {
        let result = try ErlangTools.run("erl", ["-noshell", "-pa", beamDirectory, "-eval", "\(expression), halt()."])
        guard result.status == 0 else {
            throw ErlangTools.Failure(description: "erl exited with \(result.status): \(result.output)")
        }
        return result.output
    }
}
