import BEAMPeers
import Foundation
import Testing

/// The demo cluster (demo/, a stand-in for ExESDB) with the real exporter binary: every kind of
/// message arrives and verifies; scripts/demo.sh starts everything and leaves nothing behind.
@Suite(.serialized) struct DemoClusterTests {
    // The test runner's children inherit SIGINT and SIGTERM blocked, which a shell cannot undo (and
    // passes on to everything it starts); in a terminal nothing is blocked. This restores that, then
    // execs the script.
    static let restoreSIGINT = """
        import os, signal, sys
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execv(sys.argv[1], sys.argv[1:])
        """

    @Test func everyKindArrivesFromThreeNodesAndNothingIsRejected() async throws {
        let demo = try await DemoCluster()
        defer { demo.stop() }
        let exporter = try demo.startExporter(["--log.level=debug", "--erlang.name=exesdb_exporter_ops@localhost"])
        defer { exporter.stop() }
        // Debug logging prints every message: scan each line once, and stop as soon as every kind
        // came, and something from every node.
        var kinds = Set<String>()
        var peers = Set<String>()
        var scanned = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while (kinds.count < gaterMessageKinds.count || peers.count < DemoCluster.names.count)
            && ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .seconds(1))
            let lines = exporter.lines
            collectMessages(lines[scanned...], kinds: &kinds, peers: &peers)
            scanned = lines.count
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
    /// it starts EPMD, three nodes, the sink and the exporter, and on Ctrl-C stops them all and
    /// removes its temporary directory.
    @Test func demoScriptStartsEverythingAndLeavesNothingBehind() async throws {
        let demo = try BackgroundProcess(
            "python3", ["-c", Self.restoreSIGINT, Repository.path("scripts/demo.sh"), "--profile=fast"],
            environment: [
                "EXESDB_EXPORTER_BIN": Repository.exporterBinary, "EXESDB_DEMO_WEB_PORT": "\(ErlangTools.freePort())",
            ])
        defer { demo.stop() }
        let workdir =
            try await demo.waitForLine(containing: "temporary files", timeout: .seconds(120))
            .split(separator: " ").last.map(String.init) ?? ""
        let epmd = try await demo.waitForLine(containing: "EPMD on 127.0.0.1:", timeout: .seconds(60))
        let epmdPort = epmd.split(separator: ":").last.map(String.init) ?? ""
        try await demo.waitForLine(containing: "demo running", timeout: .seconds(60))
        try await demo.waitForLine(containing: "webhook sink listening")
        let cookie = try String(contentsOfFile: "\(workdir)/cookie", encoding: .utf8)
        let secret = try String(contentsOfFile: "\(workdir)/secret_key_base", encoding: .utf8)
        #expect(
            try FileManager.default.attributesOfItem(atPath: "\(workdir)/cookie")[.posixPermissions] as? Int == 0o400)
        for name in DemoCluster.names {
            try await demo.waitForLine(containingAll: ["joined the PubSub groups", "peer=\(name)"])
        }
        try await demo.waitForLine(containing: "messages received")

        demo.signal(SIGINT)
        var status = try await demo.waitForExit(timeout: .seconds(45))
        if status == nil {  // still clean up what it started before failing
            demo.signal(SIGTERM)
            status = try await demo.waitForExit(timeout: .seconds(45)).map { _ in -1 }
        }
        #expect(status == 130, "demo.sh did not stop on SIGINT: \(demo.lines.suffix(5))")
        #expect(demo.lines.contains("demo stopped; removed \(workdir)"), "\(demo.lines.suffix(5))")
        #expect(!FileManager.default.fileExists(atPath: workdir))
        let names = try ErlangTools.run("epmd", ["-port", epmdPort, "-names"])
        #expect(names.status != 0, "its EPMD still answers: \(names.output)")
        #expect(!demo.lines.contains { $0.contains("rejected a message") })
        #expect(!demo.lines.contains { $0.contains(cookie) || $0.contains(secret) }, "a secret was printed")
    }

    /// The README's run command as a new user runs it (the normal traffic profile; the debug build
    /// instead of building a release one): every catalogue family on /metrics within two minutes.
    @Test func runCommandServesEveryCatalogueFamilyWithinTwoMinutes() async throws {
        let port = ErlangTools.freePort()
        let run = try BackgroundProcess(
            "python3", ["-c", Self.restoreSIGINT, Repository.path("scripts/run.sh")],
            environment: ["EXESDB_EXPORTER_BIN": Repository.exporterBinary, "EXESDB_DEMO_WEB_PORT": "\(port)"])
        defer { run.stop() }
        try await run.waitForLine(containing: "metrics:       http://127.0.0.1:\(port)/metrics", timeout: .seconds(120))
        let missing = try await missingCatalogueFamilies(port: port, within: .seconds(120))
        #expect(missing.isEmpty, "families missing from /metrics two minutes after the start: \(missing)")
        run.signal(SIGINT)
        #expect(try await run.waitForExit(timeout: .seconds(45)) == 130)
    }
}
