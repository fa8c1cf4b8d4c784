import BEAMPeers
import Foundation
import Testing

/// The demo cluster (demo/, a stand-in for ExESDB) with the real exporter binary: every kind of
/// message arrives and verifies; scripts/demo.sh starts everything and leaves nothing behind.
@Suite(.serialized) struct DemoClusterTests {
    // The test runner's children inherit SIGINT and SIGTERM blocked, which a shell cannot undo (and
    // passes on to everything it starts); in a terminal nothing is blocked. This restores that,
    // makes the script the leader of a process group of its own, as a terminal's job is (so that
    // `pressCtrlC` reaches the script and whatever it left in its group), then execs the script.
    static let restoreSIGINT = """
        import os, signal, sys
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.setpgid(0, 0)
        os.execv(sys.argv[1], sys.argv[1:])
        """

    @Test func everyKindArrivesFromThreeNodesAndNothingIsRejected() async throws {
        let demo = try await DemoCluster()
        defer { demo.stop() }
        let exporter = try demo.startExporter(["--log.level=debug", "--erlang.name=exesdb_exporter_ops@localhost"])
        defer { exporter.stopNow() }
        // Debug logging prints every message: scan each line once, and stop as soon as every kind
        // came, and something from every node.
        var kinds = Set<String>()
        var peers = Set<String>()
        var scanned = 0
        _ = try await poll(timeout: .seconds(60), every: .seconds(1)) { () -> Bool? in
            let lines = exporter.lines
            collectMessages(lines[scanned...], kinds: &kinds, peers: &peers)
            scanned = lines.count
            return kinds.count >= gaterMessageKinds.count && peers.count >= DemoCluster.names.count ? true : nil
        }
        exporter.signal(SIGTERM)
        _ = try await exporter.waitForExit(timeout: .seconds(10))
        let missing = Set(gaterMessageKinds).subtracting(kinds)
        #expect(missing.isEmpty, "kinds never received: \(missing.sorted())")
        for name in DemoCluster.names {
            #expect(exporter.lines.contains { $0.contains("peer=\(name)") && $0.contains("joined the PubSub groups") })
            #expect(peers.contains(name), "nothing received from \(name)")
        }
        let rejections = exporter.lines.filter { $0.contains("rejected a message") }
        #expect(rejections.isEmpty, "the demo's messages must all verify: \(rejections.prefix(3))")
        let leaks = exporter.lines.filter { $0.contains(demo.secret) || $0.contains(demo.cluster.cookie) }
        #expect(leaks.isEmpty)
    }

    /// `scripts/demo.sh` as a user runs it (with the debug build instead of a release build):
    /// it starts EPMD, three nodes, the sink and the exporter; the sink receives a signed
    /// escalation; on Ctrl-C it stops them all, frees their ports and removes its directory.
    @Test func demoScriptStartsEverythingAndLeavesNothingBehind() async throws {
        let webPort = ErlangTools.freePort()
        let demo = try BackgroundProcess(
            "python3", ["-c", Self.restoreSIGINT, Repository.path("scripts/demo.sh"), "--profile=fast"],
            environment: ["EXESDB_EXPORTER_BIN": Repository.exporterBinary, "EXESDB_DEMO_WEB_PORT": "\(webPort)"])
        try await withCleanup {
            try await startsEverythingAndLeavesNothingBehind(demo, webPort: webPort)
        } finally: {
            await demo.interruptThenStop()
        }
    }

    func startsEverythingAndLeavesNothingBehind(_ demo: BackgroundProcess, webPort: Int) async throws {
        let workdir =
            try await demo.waitForLine(containing: "temporary files", timeout: .seconds(120))
            .split(separator: " ").last.map(String.init) ?? ""
        let epmd = try await demo.waitForLine(containing: "EPMD on 127.0.0.1:", timeout: .seconds(60))
        let epmdPort = epmd.split(separator: ":").last.map(String.init) ?? ""
        try await demo.waitForLine(containing: "demo running", timeout: .seconds(60))
        let sinkLine = try await demo.waitForLine(containing: "webhook sink:  http://127.0.0.1:")
        let sinkPort = sinkLine.firstMatch(of: /127\.0\.0\.1:(\d+)/).flatMap { Int($0.output.1) } ?? 0
        let secrets = try ["cookie", "secret_key_base", "webhook_hmac"].map {
            try String(contentsOfFile: "\(workdir)/\($0)", encoding: .utf8)
        }
        #expect(
            try FileManager.default.attributesOfItem(atPath: "\(workdir)/cookie")[.posixPermissions] as? Int == 0o400)
        for name in DemoCluster.names {
            try await demo.waitForLine(containingAll: ["joined the PubSub groups", "peer=\(name)"])
        }
        try await demo.waitForLine(containing: "messages received")
        try await sinkPrintsASignedEscalation(demo, log: "\(workdir)/webhooks.log")
        let ports = try await DemoScript.nodePorts(epmdPort: epmdPort) + [Int(epmdPort) ?? 0, webPort, sinkPort]
        #expect(ports.count == 6 && ports.allSatisfy(isListening), "not all listening: \(ports)")
        #expect(!(try await DemoScript.processes(naming: workdir)).isEmpty, "pgrep does not find the demo's processes")

        let linesBeforeCtrlC = demo.lines.count
        demo.pressCtrlC()
        var status = try await demo.waitForExit(timeout: .seconds(45))
        if status == nil {  // still clean up what it started before failing
            demo.signal(SIGTERM)
            status = try await demo.waitForExit(timeout: .seconds(45)).map { _ in -1 }
        }
        #expect(status == 130, "demo.sh did not stop on SIGINT: \(demo.lines.suffix(5))")
        #expect(demo.lines.contains("demo stopped; removed \(workdir)"), "\(demo.lines.suffix(5))")
        #expect(!FileManager.default.fileExists(atPath: workdir))
        let names = try await ErlangTools.run("epmd", ["-port", epmdPort, "-names"])
        #expect(names.status != 0, "its EPMD still answers: \(names.output)")
        let leftovers = try await DemoScript.processes(naming: workdir)
        #expect(leftovers.isEmpty, "left running: \(leftovers)")
        #expect(ports.filter(isListening).isEmpty, "still listening on \(ports.filter(isListening)) of \(ports)")
        #expect(!demo.lines.contains { $0.contains("rejected a message") })
        // Ctrl-C reaches the script alone, which stops the exporter before the nodes: the exporter
        // has no lost connection to report while it stops.
        let stopping = demo.lines.dropFirst(linesBeforeCtrlC).filter {
            $0.contains("level=warning") || $0.contains("level=error")
        }
        #expect(stopping.isEmpty, "warnings while the demo stopped: \(stopping)")
        #expect(!demo.lines.contains { line in secrets.contains { line.contains($0) } }, "a secret was printed")
    }

    /// The sink printed a forwarded escalation and logged it as the demo configures it: the
    /// `alertmanager` format, to level2 or level3, signed with the demo's HMAC secret.
    func sinkPrintsASignedEscalation(
        _ demo: BackgroundProcess, log: String, timeout: Duration = .seconds(60)
    )
        async throws
    {
        let printed = try await demo.waitForLine(
            containingAll: ["[webhook sink", "ExESDBAlertEscalated", "(signature valid)"], timeout: timeout)
        // Read as an access log line: the method, then the path; not a bare "/" after the time.
        #expect(printed.contains(/^\[webhook sink \d\d:\d\d:\d\d\] POST \/ alertname=/), "\(printed)")
        // The sink prints a request before it appends it to its log: the record may come a moment
        // after the line (a loaded machine made that moment long enough to be seen).
        let logged = try await poll(timeout: .seconds(10)) { () -> [[String: Any]]? in
            let records = DemoScript.sinkRecords(log)
            return records.contains { DemoScript.isSignedEscalation($0, receiver: "demo-sink") } ? records : nil
        }
        let records = logged ?? DemoScript.sinkRecords(log)
        #expect(logged != nil, "no signed escalation in the sink's log: \(records.prefix(2))")
        #expect(records.allSatisfy { $0["signature"] as? String == "valid" }, "unsigned or badly signed: \(records)")
    }

    /// The README's run command as a new user runs it (the normal traffic profile; the debug build
    /// instead of building a release one): within two minutes of its start, every catalogue family
    /// has a sample on /metrics (but the ones the demo cannot produce, DemoScript), and the sink
    /// printed a signed escalation.
    @Test func runCommandServesEveryCatalogueFamilyWithinTwoMinutes() async throws {
        let port = ErlangTools.freePort()
        let deadline = ContinuousClock.now + .seconds(120)
        let run = try BackgroundProcess(
            "python3", ["-c", Self.restoreSIGINT, Repository.path("scripts/run.sh")],
            environment: ["EXESDB_EXPORTER_BIN": Repository.exporterBinary, "EXESDB_DEMO_WEB_PORT": "\(port)"])
        try await withCleanup {
            try await servesEveryCatalogueFamily(run, port: port, until: deadline)
        } finally: {
            await run.interruptThenStop()
        }
    }

    func servesEveryCatalogueFamily(
        _ run: BackgroundProcess, port: Int, until deadline: ContinuousClock.Instant
    ) async throws {
        try await run.waitForLine(
            containing: "metrics:       http://127.0.0.1:\(port)/metrics", timeout: deadline - .now)
        let workdir =
            try await run.waitForLine(containing: "temporary files").split(separator: " ").last.map(String.init) ?? ""
        let missing = try await familiesWithoutSamples(
            port: port, until: deadline, excluded: Set(DemoScript.familiesWithoutSamples.keys))
        #expect(missing.isEmpty, "families without a sample on /metrics two minutes after the start: \(missing)")
        try await sinkPrintsASignedEscalation(
            run, log: "\(workdir)/webhooks.log", timeout: max(deadline - .now, .seconds(1)))
        run.pressCtrlC()
        #expect(try await run.waitForExit(timeout: .seconds(45)) == 130)
    }
}
