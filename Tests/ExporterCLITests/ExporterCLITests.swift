import BEAMPeers
import Foundation
import Testing

/// The `exesdb_exporter` binary as an operator runs it.
@Suite(.serialized) struct ExporterCLITests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let binary = packageRoot.appendingPathComponent(".build/debug/exesdb_exporter").path
    static let fixtures = Task<ErlangFixtures, any Error> {
        try await ErlangFixtures(
            sourceDirectory: packageRoot.appendingPathComponent("Tests/ExporterCLITests/Fixtures").path)
    }

    /// The binary, serving on a free loopback port unless the arguments choose one.
    func exporter(_ arguments: [String], environment: [String: String]) throws -> BackgroundProcess {
        let listen = arguments.contains { $0.hasPrefix("--web.listen-address") }
        let web = listen ? [] : ["--web.listen-address=127.0.0.1:\(ErlangTools.freePort())"]
        return try BackgroundProcess(Self.binary, arguments + web, environment: environment)
    }

    @Test func joinsTheNodeAndLeavesOnSIGTERM() async throws {
        let cluster = try await ErlangCluster(fixtures: try await Self.fixtures.value, cookie: "cli-cookie-value")
        let erl = try await cluster.startNode("cli1", expression: "cli_peer:start()")
        let run = try exporter(
            ["--erlang.nodes", "cli1@localhost", "--erlang.name", "exporter_cli@localhost", "--log.level", "debug"],
            environment: cluster.environment.merging(["ERLANG_COOKIE": "cli-cookie-value"]) { $1 })
        try await run.waitForLine(containing: "msg=connected")
        try await erl.waitForLine(containing: "hidden [exporter_cli@localhost]")
        let linesBefore = erl.lines.count
        run.signal(SIGTERM)
        #expect(try await run.waitForExit() == 0)
        // The node sees the hidden node leave (it prints its hidden nodes every 500 ms; a loaded
        // machine may print late, so this waits for the line rather than for a fixed time).
        let left = try await poll(timeout: .seconds(20)) {
            erl.lines.dropFirst(linesBefore).contains("hidden []") ? true : nil
        }
        #expect(left == true, "the node still lists the exporter: \(erl.lines.suffix(3))")
        let leaks = run.lines.filter { $0.contains("cli-cookie-value") }
        #expect(leaks.isEmpty, "the cookie must never be logged: \(leaks)")
        await erl.stop()
    }

    @Test func receivesVerifiedMessagesFromAPublisherAndLeavesOnSIGTERM() async throws {
        let publisherFixtures = try await ErlangFixtures(shared: [.pubsubPublisher])
        let cluster = try await ErlangCluster(fixtures: publisherFixtures, cookie: "cli-cookie-value")
        let erl = try await cluster.startNode(
            "clipub", expression: "pubsub_publisher:start_ticking(1, <<\"cli-secret\">>)")
        let run = try exporter(
            ["--erlang.nodes", "clipub@localhost", "--log.level", "debug"],
            environment: cluster.environment.merging([
                "ERLANG_COOKIE": "cli-cookie-value", "SECRET_KEY_BASE": "cli-secret",
            ]) {
                $1
            })
        try await run.waitForLine(containing: "joined the PubSub groups")
        try await run.waitForLine(containing: "type=latency_metric")
        // The summary prints each type as a logfmt pair, not a Swift dictionary dump (issue 14, 10).
        let summary = try await run.waitForLine(containing: "msg=\"messages received\"")
        #expect(summary.range(of: #" latency_metric=[0-9]+"#, options: .regularExpression) != nil, "\(summary)")
        #expect(!summary.contains("key:") && !summary.contains("by_type"), "\(summary)")
        run.signal(SIGTERM)
        #expect(try await run.waitForExit() == 0, "\(run.lines.suffix(10))")
        #expect(run.lines.contains { $0.contains("left the PubSub groups") })
        // One connection, one join logged (the answer to our discover and the node's own
        // discover both get a sync, and both were logged).
        let joins = run.lines.filter { $0.contains("joined the PubSub groups") }
        #expect(joins.count == 1, "\(joins)")
        #expect(!run.lines.contains { $0.contains("rejected a message") })
        let secrets = run.lines.filter { $0.contains("cli-secret") || $0.contains("cli-cookie-value") }
        #expect(secrets.isEmpty, "secrets must never be logged: \(secrets)")
        await erl.stop()
    }

    @Test func cookieFileReadableByOthersStopsItBeforeConnecting() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cookie-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data("open-cookie-value".utf8))
        chmod(path, 0o644)
        let run = try exporter(["--erlang.nodes", "a@localhost", "--erlang.cookie-file", path], environment: [:])
        #expect(try await run.waitForExit() == 2)
        #expect(run.lines.contains { $0.contains("chmod 400 \(path)") }, "\(run.lines)")
        #expect(!run.lines.contains { $0.contains("open-cookie-value") })
    }

    @Test func badNodeNameIsNamedInTheError() async throws {
        let run = try exporter(["--erlang.nodes", "no-at-sign"], environment: ["ERLANG_COOKIE": "x"])
        #expect(try await run.waitForExit() == 2)
        #expect(
            run.lines.contains { $0.contains("--erlang.nodes=no-at-sign") && $0.contains("has no '@'") }, "\(run.lines)"
        )
    }

    @Test func topicFilterNamesTheBadFlag() async throws {
        let run = try exporter(
            ["--erlang.nodes", "a@localhost", "--pubsub.topics", "ex_esdb_nope:latency"],
            environment: ["ERLANG_COOKIE": "x"])
        #expect(try await run.waitForExit() == 2)
        #expect(
            run.lines.contains { $0.contains("--pubsub.topics=ex_esdb_nope:latency: expected bus:topic") },
            "\(run.lines)")
    }

    @Test func versionAndHelp() async throws {
        let version = try exporter(["--version"], environment: [:])
        #expect(try await version.waitForExit() == 0)
        #expect(version.lines.first?.hasPrefix("0.") == true)
        #expect(
            version.lines.first?.contains("(revision: ") == true
                && version.lines.first?.contains(", swift: 6.") == true,
            "\(version.lines)")
        let help = try exporter(["--help"], environment: [:])
        #expect(try await help.waitForExit() == 0)
        #expect(help.lines.contains { $0.contains("--erlang.cookie-file") })
    }
}
