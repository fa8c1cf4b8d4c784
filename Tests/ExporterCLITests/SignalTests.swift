import BEAMPeers
import Foundation
import Testing

extension BinaryEndToEndTests {
    /// SIGHUP: the log level and the web config change at once, on a connection that stays open;
    /// a broken web config is refused and the one in force stays; a restart-only key is named.
    @Test func sighupReloadsLogLevelAndWebConfigAndNamesRestartOnlyKeys() async throws {
        let directory = try temporaryDirectory("e2e-reload")
        let config = "\(directory)/exesdb_exporter.yml"
        try "log:\n  level: info\n".write(toFile: config, atomically: true, encoding: .utf8)
        let web = try WebConfigFile("")
        let publisher = try await Publisher.everyPayload()
        defer { publisher.stop() }
        let exporter = try await RunningExporter.joining(
            publisher, ["--config.file=\(config)", "--web.config.file=\(web.path)"])
        defer { exporter.stop() }
        let connection = try await KeepAliveConnection(port: exporter.port)
        #expect(try await connection.get("/metrics").status == 200)
        #expect(!exporter.lines.contains { $0.contains("level=debug") })

        try "log:\n  level: debug\n".write(toFile: config, atomically: true, encoding: .utf8)
        try web.write(WebConfigFile.users(["ops": "reload-pass"]))
        exporter.process.signal(SIGHUP)
        try await exporter.process.waitForLine(containing: "web configuration reloaded")
        try await exporter.process.waitForLine(containingAll: ["level=debug", "msg=message", "type="])
        // The same connection: now the password is needed.
        #expect(try await connection.get("/metrics").status == 401)
        #expect(try await connection.get("/metrics", authorization: ("ops", "reload-pass")).status == 200)
        #expect(try await connection.get("/metrics", authorization: ("ops", "wrong")).status == 401)

        try web.write("basic_auth_users:\n  ops: not-a-bcrypt-hash\n")
        try "log:\n  level: debug\nweb:\n  telemetry_path: /other\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let linesBefore = exporter.lines.count
        exporter.process.signal(SIGHUP)
        let refused = try await exporter.process.waitForLine(
            containingAll: ["web configuration not reloaded; the previous one stays in force", web.path])
        let restart = try await exporter.process.waitForLine(
            containingAll: ["changed settings take effect at the next restart", "web.telemetry_path"])
        #expect(exporter.lines.dropFirst(linesBefore).contains(refused))
        #expect(exporter.lines.dropFirst(linesBefore).contains(restart))
        // The previous web config (with its user) and the telemetry path stay in force.
        #expect(try await connection.get("/metrics").status == 401)
        #expect(try await connection.get("/metrics", authorization: ("ops", "reload-pass")).status == 200)
        #expect(try await exporter.get("/metrics", ["-u", "ops:reload-pass"]).status == 200)
        #expect(try await exporter.get("/other", ["-u", "ops:reload-pass"]).status == 404)
        #expect(!exporter.lines.contains { $0.contains("reload-pass") })
    }

    /// SIGTERM with a scrape sent but not yet read: the answer arrives whole, the exporter leaves
    /// the pg groups while still connected (the publisher's pg sees the leave), logs "stopped" and exits 0.
    @Test func sigtermFinishesTheScrapeLeavesTheGroupsAndExitsZero() async throws {
        let publisher = try await Publisher.everyPayload()
        defer { publisher.stop() }
        let exporter = try await RunningExporter.joining(publisher)
        defer { exporter.stop() }
        for bus in Publisher.buses {
            try await publisher.node.waitForLine(containing: "pg join Elixir.\(bus).Adapter e2e_exporter@localhost")
        }
        let connection = try await KeepAliveConnection(port: exporter.port)
        #expect(try await connection.get("/-/ready").status == 200)
        try await connection.send("/metrics")
        exporter.process.signal(SIGTERM)
        let answer = try await connection.receive()
        #expect(answer.status == 200)
        #expect(answer.body.hasSuffix("\n") && answer.body.contains("exesdb_exporter_build_info"))
        #expect(try await exporter.process.waitForExit(timeout: .seconds(20)) == 0, "\(exporter.lines.suffix(10))")
        #expect(exporter.lines.last?.contains("msg=stopped") == true, "\(exporter.lines.suffix(5))")
        #expect(try await connection.isClosedByServer())
        for bus in Publisher.buses {
            // connected=true: our leave arrived while the node was still connected, before any nodedown.
            try await publisher.node.waitForLine(
                containing: "pg leave Elixir.\(bus).Adapter e2e_exporter@localhost connected=true")
        }
        // Leaving is harmless to the node: OTP 25's pg crashes on a leave for a group the member
        // already left, which would take the node's Phoenix.PubSub scope down with it.
        try await Task.sleep(for: .seconds(1))
        let reports = publisher.node.lines.filter { $0.contains("ERROR REPORT") || $0.contains("CRASH REPORT") }
        #expect(reports.isEmpty, "the publisher's pg crashed:\n\(publisher.node.lines.joined(separator: "\n"))")
        // And the port is free again.
        #expect((try? await exporter.get("/-/healthy")) == nil)
    }
}
