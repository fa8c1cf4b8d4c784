import BEAMPeers
import Foundation
import Testing

extension BinaryEndToEndTests {
    /// `exesdb_exporter ... 2> >(head -1)`: the log's reader goes away after one line. The exporter
    /// goes on serving, and counts the lines it could not write.
    @Test func aClosedLogPipeNeitherStopsTheExporterNorLosesItsCount() async throws {
        let publisher = try await Publisher.everyPayload()
        defer { publisher.stop() }
        let port = ErlangTools.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ExporterCLITests.binary)
        process.arguments =
            publisher.exporterArguments() + ["--web.listen-address=127.0.0.1:\(port)", "--log.level=debug"]
        process.environment = ProcessInfo.processInfo.environment.merging(publisher.environment) { $1 }
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // Read one line, as `head -1` does, then close the reading end.
        let reader = pipe.fileHandleForReading
        let first = try await offThePool { () -> Data in
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")), let byte = try reader.read(upToCount: 1), !byte.isEmpty {
                line.append(byte)
            }
            return line
        }
        #expect(!first.isEmpty)
        try reader.close()
        // Debug logging writes a line per message: many writes fail from now on.
        // Until it listens (it may still be starting), a fetch fails: look again while it runs.
        let dropped =
            try await poll(timeout: .seconds(30), every: .milliseconds(300)) { () -> Double? in
                guard let answer = try? await HTTPAnswer.fetch("http://127.0.0.1:\(port)/metrics") else { return nil }
                let value = Sample.parse(answer.body).named("exesdb_exporter_log_lines_dropped_total").first?.value ?? 0
                return value > 0 ? value : nil
            } ?? 0
        #expect(dropped > 0, "the lines that could not be written are counted")
        #expect(process.isRunning, "the exporter goes on after its log pipe closed")
        let again = try await HTTPAnswer.fetch("http://127.0.0.1:\(port)/-/healthy")
        #expect(again.status == 200)
    }
}
