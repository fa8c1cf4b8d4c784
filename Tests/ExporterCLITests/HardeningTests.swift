import BEAMPeers
import Foundation
import Testing

/// The binary under attack and under an operator's hands (issue 14): descriptors running out,
/// `--config.check`, `POST /-/reload` and the reload families.
extension ExporterCLITests {
    /// Run under `prlimit --nofile=64` with more idle connections than descriptors: the accepts
    /// that fail are retried once a second (not in a loop: the process stays nearly idle), counted,
    /// and logged once; once the connections are gone, scrapes are answered again and the recovery
    /// is logged.
    @Test func outOfDescriptorsTheExporterBacksOffCountsLogsOnceAndServesAgain() async throws {
        let port = ErlangTools.freePort()
        let run = try BackgroundProcess(
            "prlimit",
            [
                "--nofile=64:64", "--", Self.binary, "--erlang.nodes=nobody@localhost",
                "--web.listen-address=127.0.0.1:\(port)", "--web.read-header-timeout=60s",
            ],
            environment: ["ERLANG_COOKIE": "descriptor-cookie", "ERL_EPMD_PORT": "\(ErlangTools.freePort())"])
        defer { run.stopNow() }
        try await run.waitForLine(containing: "msg=listening", timeout: .seconds(30))
        var idle: [KeepAliveConnection] = []
        for _ in 0..<100 { idle.append(try await KeepAliveConnection(port: port)) }
        try await run.waitForLine(containing: "no file descriptor left", timeout: .seconds(20))
        let before = try cpuSeconds(of: run.processIdentifier)
        try await Task.sleep(for: .seconds(3))
        let busy = try cpuSeconds(of: run.processIdentifier) - before
        #expect(busy < 0.5, "the exporter used \(busy) s of CPU in 3 s while out of descriptors")
        let exhausted = run.lines.filter { $0.contains("no file descriptor left") }
        #expect(exhausted.count == 1, "\(exhausted)")
        #expect(exhausted.first?.contains("level=error") == true)
        idle.removeAll()  // Closes them: the exporter's descriptors come back.
        let answer = try await poll(timeout: .seconds(30), every: .milliseconds(250)) {
            try? await HTTPAnswer.fetch("http://127.0.0.1:\(port)/metrics")
        }
        let body = try #require(answer?.body, "no scrape answered once the descriptors came back")
        let refused = Sample.parse(body).first {
            $0.name == "exesdb_exporter_http_rejected_total" && $0.labels["reason"] == "file_descriptors"
        }
        #expect((refused?.value ?? 0) >= 2, "each failed accept is counted, one line is logged")
        #expect(run.lines.contains { $0.contains("accepting HTTP connections again") })
    }

    /// `--config.check`: "ok" and 0 for a usable configuration; otherwise every problem found,
    /// in the words a start would use, and 2. Nothing is bound.
    @Test func configCheckSaysOkOrWhatIsWrongAndBindsNothing() async throws {
        let directory = try temporaryDirectory("config-check")
        let config = "\(directory)/exesdb_exporter.yml"
        let port = ErlangTools.freePort()
        try "web: {listen_address: \"127.0.0.1:\(port)\", read_header_timeout: 5s}\nerlang: {nodes: [a@localhost]}\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let users = try WebConfigFile(WebConfigFile.users(["ops": "check-pass"]))
        let good = try await ErlangTools.run(
            Self.binary, ["--config.check", "--config.file=\(config)", "--web.config.file=\(users.path)"],
            environment: ["ERLANG_COOKIE": "check-cookie"])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output == "ok\n")

        let broken = try WebConfigFile(
            "tls_server_config:\n  cert_file: /nonexistent/server.pem\n  key_file: /nonexistent/server.key\n")
        try """
        erlang: {nodes: [a@localhost]}
        webhooks:
          spool_dir: \(directory)/spool
          endpoints:
            - {name: oncall, url: "http://127.0.0.1:1/x", format: json, hmac_secret_file: \(directory)/missing.hmac}

        """.write(toFile: config, atomically: true, encoding: .utf8)
        let bad = try await ErlangTools.run(
            Self.binary, ["--config.check", "--config.file=\(config)", "--web.config.file=\(broken.path)"],
            environment: ["ERLANG_COOKIE": "check-cookie"])
        #expect(bad.status == 2, "\(bad.output)")
        #expect(bad.output.contains(broken.path) && bad.output.contains("/nonexistent/server.pem"), "\(bad.output)")
        #expect(bad.output.contains("webhooks.endpoints[0].hmac_secret_file"), "\(bad.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/spool"), "the spool is not opened")

        try "metrics: {ttl: 1m5m}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let duration = try await ErlangTools.run(
            Self.binary, ["--config.check", "--config.file=\(config)", "--erlang.nodes=a@localhost"],
            environment: ["ERLANG_COOKIE": "check-cookie"])
        #expect(duration.status == 2)
        #expect(duration.output.contains("metrics.ttl"), "\(duration.output)")
        #expect((try? await HTTPAnswer.fetch("http://127.0.0.1:\(port)/-/healthy")) == nil, "nothing was bound")
    }

    /// `POST /-/reload` with `--web.enable-lifecycle` does what SIGHUP does, and both set the
    /// reload families: 1 and a timestamp at start, 0 after a refused file (the timestamp
    /// stays), 1 and a later timestamp once the file is fixed.
    @Test func reloadOverHTTPAndTheReloadFamilies() async throws {
        let directory = try temporaryDirectory("lifecycle")
        let config = "\(directory)/exesdb_exporter.yml"
        try "log: {level: info}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let exporter = try RunningExporter(
            ["--erlang.nodes=nobody@localhost", "--config.file=\(config)", "--web.enable-lifecycle"],
            environment: ["ERLANG_COOKIE": "lifecycle-cookie", "ERL_EPMD_PORT": "\(ErlangTools.freePort())"])
        defer { exporter.stop() }
        try await exporter.process.waitForLine(containing: "msg=listening", timeout: .seconds(30))
        func outcome() async throws -> (successful: Double?, at: Double?) {
            let samples = try await exporter.samples()
            return (
                samples.named("exesdb_exporter_config_last_reload_successful").first?.value,
                samples.named("exesdb_exporter_config_last_reload_success_timestamp_seconds").first?.value
            )
        }
        let start = try await outcome()
        #expect(start.successful == 1)
        let startedAt = try #require(start.at)
        #expect(abs(startedAt - Date().timeIntervalSince1970) < 120)

        try await Task.sleep(for: .milliseconds(1100))
        try "log: {level: debug}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let reloaded = try await exporter.get("/-/reload", ["-X", "POST"])
        #expect(reloaded.status == 200, "\(reloaded.body)")
        try await exporter.process.waitForLine(containing: "log level changed")
        let afterReload = try await outcome()
        #expect(afterReload.successful == 1 && (afterReload.at ?? 0) > startedAt)

        try "metrics: {ttl: soon}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let refused = try await exporter.get("/-/reload", ["-X", "POST"])
        #expect(refused.status == 500)
        #expect(refused.body.contains("metrics.ttl"), "\(refused.body)")
        let afterRefusal = try await outcome()
        #expect(afterRefusal.successful == 0 && afterRefusal.at == afterReload.at)

        try "log: {level: debug}\n".write(toFile: config, atomically: true, encoding: .utf8)
        exporter.process.signal(SIGHUP)
        try await eventually("SIGHUP reloaded") { try await outcome().successful == 1 }
        #expect((try await outcome().at ?? 0) >= (afterReload.at ?? 0))
        #expect(try await exporter.get("/-/reload").status == 405)
    }

    /// The process's own CPU time so far (utime + stime of /proc/PID/stat).
    func cpuSeconds(of pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command, which is in parentheses and may hold spaces.
        guard let close = stat.lastIndex(of: ")") else { throw ErlangTools.Failure(description: "bad stat: \(stat)") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // state is field 3 (index 0 here): utime is field 14, stime field 15.
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw ErlangTools.Failure(description: "bad stat: \(stat)")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
