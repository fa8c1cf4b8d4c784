import BEAMPeers
import ErlangDistribution
import ErlangTerm
import Foundation
import Testing

/// A Swift node against real `erl` nodes: messages both ways, monitors, errors an operator sees.
@Suite(.serialized) struct ConnectionTests {
    @Test func echoProcessRepliesToOurPid() async throws {
        let (erl, swift) = try await Harness.connected(to: "echo1")
        let mailbox = swift.node.spawn()
        let message = Term.tuple([.atom("echo"), .pid(mailbox.pid), .binary("hello from swift")])
        #expect(swift.node.send(message, toName: "echo", on: "echo1@localhost", from: mailbox.pid))
        let reply = try await mailbox.messages.next()
        #expect(reply.message.term() == .tuple([.atom("echoed"), .binary("hello from swift")]))
        #expect(reply.peer == "echo1@localhost")
        // The node sees us as a hidden node.
        #expect(
            swift.node.send(
                .tuple([.atom("nodes"), .pid(mailbox.pid)]), toName: "echo", on: "echo1@localhost", from: mailbox.pid))
        let nodes = try await mailbox.messages.next()
        #expect(nodes.message.term() == .tuple([.atom("nodes"), .list([.atom(swift.node.name)])]))
        await swift.stop()
        await erl.stop()
    }
}

/// EPMD's own view, and the ways a real node addresses our processes.
@Suite(.serialized) struct AddressingTests {
    @Test func epmdNamesListsTheRegisteredNodes() async throws {
        let harness = try await Harness()
        let erl = try await harness.startEchoNode("named1")
        let names = try await harness.epmd.names(host: "localhost")
        #expect(names.contains { $0.name == "named1" && $0.port > 0 })
        let address = try await harness.epmd.address(of: "named1", host: "localhost")
        #expect(names.first { $0.name == "named1" }?.port == address.port)
        #expect(address.highestVersion == 6 && !address.isHidden)
        await erl.stop()
    }

    @Test func aliasSendReachesTheAliasedProcess() async throws {
        let (erl, swift) = try await Harness.connected(to: "alias1")
        let mailbox = swift.node.spawn()
        let alias = swift.node.makeAlias(for: mailbox.pid)
        swift.node.send(
            .tuple([.atom("send_alias"), .reference(alias), .atom("via_alias")]), toName: "echo",
            on: "alias1@localhost",
            from: mailbox.pid)
        let delivery = try await mailbox.messages.next()
        #expect(delivery.message.term() == .atom("via_alias"))
        #expect(delivery.sender?.node == "alias1@localhost")
        await swift.stop()
        await erl.stop()
    }
}

/// Monitors and links held by processes on a real node on our processes.
@Suite(.serialized) struct MonitorTests {
    @Test func monitorSeesNoconnectionWhenWeDisconnect() async throws {
        let (erl, swift) = try await Harness.connected(to: "mon1")
        let mailbox = swift.node.spawn()
        swift.node.send(
            .tuple([.atom("monitor"), .pid(mailbox.pid)]), toName: "echo", on: "mon1@localhost", from: mailbox.pid)
        try await erl.waitForLine(containing: "monitoring")
        await swift.stop()
        try await erl.waitForLine(containing: "down noconnection")
        await erl.stop()
    }

    @Test func monitorOfAMissingProcessGetsNoproc() async throws {
        let (erl, swift) = try await Harness.connected(to: "mon2")
        let mailbox = swift.node.spawn()
        let missing = Pid(node: swift.node.name, id: 30000, serial: 0, creation: swift.node.creation)
        swift.node.send(
            .tuple([.atom("monitor"), .pid(missing)]), toName: "echo", on: "mon2@localhost", from: mailbox.pid)
        try await erl.waitForLine(containing: "down noproc")
        await swift.stop()
        await erl.stop()
    }

    @Test func monitorSeesTheRealExitReason() async throws {
        let (erl, swift) = try await Harness.connected(to: "mon3")
        let watched = swift.node.spawn()
        swift.node.send(
            .tuple([.atom("monitor"), .pid(watched.pid)]), toName: "echo", on: "mon3@localhost", from: watched.pid)
        // Sent after the monitor on the same connection: once it is here, so is the monitor.
        #expect(try await watched.messages.next().message.term() == .atom("monitoring"))
        watched.exit(reason: .atom("shutting_down"))
        try await erl.waitForLine(containing: "down shutting_down")
        await swift.stop()
        await erl.stop()
    }

    @Test func linksGetExitSignals() async throws {
        let (erl, swift) = try await Harness.connected(to: "link1")
        let linked = swift.node.spawn()
        swift.node.send(
            .tuple([.atom("link_to"), .pid(linked.pid)]), toName: "echo", on: "link1@localhost", from: linked.pid)
        try await erl.waitForLine(containing: "link true")
        #expect(try await linked.messages.next().message.term() == .atom("linked"))
        linked.exit(reason: .atom("done"))
        try await erl.waitForLine(containing: "exit done")
        let missing = Pid(node: swift.node.name, id: 31000, serial: 0, creation: swift.node.creation)
        let other = swift.node.spawn()
        swift.node.send(
            .tuple([.atom("link_to"), .pid(missing)]), toName: "echo", on: "link1@localhost", from: other.pid)
        try await erl.waitForLine(containing: "exit noproc")
        await swift.stop()
        await erl.stop()
    }

    @Test func spawnRequestsAreRefused() async throws {
        let (erl, swift) = try await Harness.connected(to: "spawn1")
        let mailbox = swift.node.spawn()
        swift.node.send(
            .tuple([.atom("spawn_on"), .atom(swift.node.name)]), toName: "echo", on: "spawn1@localhost",
            from: mailbox.pid)
        try await erl.waitForLine(containing: "spawn_reply error notsup")
        await swift.stop()
        await erl.stop()
    }
}

/// Every failure an operator can meet gives the error that names it, and a counter.
@Suite(.serialized) struct FailureTests {
    @Test func wrongCookieIsReportedAsSuch() async throws {
        let harness = try await Harness()
        let erl = try await harness.startEchoNode("cookie1")
        let swift = harness.connect(to: "cookie1", cookie: "not-the-cookie")
        let reason = try await swift.waitForFailure()
        #expect(reason == .cookieMismatch(node: "cookie1@localhost"))
        #expect(reason.description.hasPrefix("authentication failed: the cookie does not match"))
        #expect(!reason.description.contains("not-the-cookie"))
        let counter = try harness.metrics.expectCounter(
            "exesdb_exporter_peer_connects_total", [("peer", "cookie1@localhost"), ("result", "cookie_mismatch")])
        #expect(counter.totalValue >= 1)
        await swift.stop()
        await erl.stop()
    }

    @Test func unknownNodeIsReportedWithItsHost() async throws {
        let harness = try await Harness()
        let swift = harness.connect(to: "nosuchnode")
        let reason = try await swift.waitForFailure()
        #expect(reason == .nodeNotRegistered(alive: "nosuchnode", host: "localhost"))
        #expect(reason.description.hasPrefix("no node named nosuchnode in EPMD on host localhost"))
        await swift.stop()
    }

    @Test func epmdDownIsReported() async throws {
        let harness = try await Harness()
        let closedPort = ErlangTools.freePort()
        let swift = harness.connect(to: "anything", epmdPort: closedPort)
        let reason = try await swift.waitForFailure()
        guard case .epmdUnreachable(let host, let port, _) = reason else {
            Issue.record("expected epmdUnreachable, got \(reason)")
            return
        }
        #expect(host == "localhost" && port == closedPort)
        #expect(reason.description.contains("EPMD unreachable on localhost:\(closedPort)"))
        await swift.stop()
    }

    @Test func nodeWithAnAllowListRefusesUs() async throws {
        let harness = try await Harness()
        let erl = try await harness.cluster.startNode(
            "guarded1", expression: "net_kernel:allow(['someone_else@localhost']), dist_echo:start()")
        let swift = harness.connect(to: "guarded1")
        let reason = try await swift.waitForFailure()
        #expect(reason == .notAllowed(node: "guarded1@localhost", status: "not_allowed"))
        #expect(reason.description.contains("net_kernel:allow"))
        await swift.stop()
        await erl.stop()
    }

    @Test func oversizedFrameEndsTheConnection() async throws {
        let harness = try await Harness()
        let erl = try await harness.startEchoNode("big1")
        var configuration = DistributionConfiguration.forTests
        configuration.maxFrameSize = 4096
        let swift = harness.connect(to: "big1", configuration: configuration)
        try await swift.waitUntilUp()
        let mailbox = swift.node.spawn()
        swift.node.send(
            .tuple([.atom("big"), .pid(mailbox.pid), 100_000]), toName: "echo", on: "big1@localhost", from: mailbox.pid)
        let reason = try await swift.waitForFailure()
        guard case .frameTooLarge(let node, let size, let limit) = reason else {
            Issue.record("expected frameTooLarge, got \(reason)")
            return
        }
        #expect(node == "big1@localhost" && size > 100_000 && limit == 4096)
        let counted = try harness.metrics.expectCounter(
            "exesdb_exporter_peer_connects_total", [("peer", "big1@localhost"), ("result", "frame_too_large")])
        #expect(counted.totalValue == 1, "how the connection ended is counted")
        #expect(reason.description.contains("raise \(DistributionSetting.maxFrameSize)"), "it names the setting")
        await swift.stop()
        await erl.stop()
    }

    @Test func peerFrozenDuringTheHandshakeTimesOut() async throws {
        let harness = try await Harness()
        let erl = try await harness.startEchoNode("frozen1")
        try await erl.freeze()
        var configuration = DistributionConfiguration.forTests
        configuration.handshakeTimeout = .seconds(1)
        let swift = harness.connect(to: "frozen1", configuration: configuration)
        let reason = try await swift.waitForFailure(timeout: .seconds(5))
        #expect(reason == .handshakeTimeout(node: "frozen1@localhost", seconds: 1))
        await swift.stop()
        erl.thaw()
        await erl.stop()
    }

    @Test func peerKilledDuringTheHandshakeIsReported() async throws {
        let harness = try await Harness()
        let erl = try await harness.startEchoNode("gone1")
        try await erl.freeze()
        var configuration = DistributionConfiguration.forTests
        configuration.handshakeTimeout = .seconds(10)
        let swift = harness.connect(to: "gone1", configuration: configuration)
        try await swift.waitFor("handshaking") { $0 == .handshaking }
        await erl.stop()
        let reason = try await swift.waitForFailure(timeout: .seconds(5))
        guard case .handshakeClosed(let node, _) = reason else {
            Issue.record("expected handshakeClosed, got \(reason)")
            return
        }
        #expect(node == "gone1@localhost")
        await swift.stop()
    }

    @Test func cookieFileReadableByOthersIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cookie-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data("secret-cookie\n".utf8))
        chmod(path, 0o644)
        #expect(throws: Cookie.LoadError.tooOpen(path: path, mode: "644")) {
            try Cookie.load(file: path, environment: [:])
        }
        let message = Cookie.LoadError.tooOpen(path: path, mode: "644").description
        #expect(message.contains("chmod 400 \(path)"))
        chmod(path, 0o400)
        let cookie = try Cookie.load(file: path, environment: [:])
        #expect("\(cookie)" == "<cookie redacted>")
        let fromEnvironment = try Cookie.load(environment: ["ERLANG_COOKIE": " env-cookie "])
        #expect(fromEnvironment.description == "<cookie redacted>")
        #expect(throws: Cookie.LoadError.self) { try Cookie.load(file: "/nonexistent/cookie", environment: [:]) }
    }
}

/// Keeping a connection alive, declaring a silent peer dead, and coming back after a restart.
@Suite(.serialized) struct LivenessTests {
    static let ticking = DistributionConfiguration(
        netTickTime: .seconds(4), handshakeTimeout: .seconds(5),
        backoff: Backoff(initial: .milliseconds(200), maximum: .seconds(1), multiplier: 2, jitter: 0.1))

    /// net_ticktime 4 s, as the BEAM defines it: ticks every T/4, and a peer silent for T is
    /// declared dead at the next check, so between 3 s (T - T/4) and 5 s (T + T/4) after its
    /// last frame. The ceiling adds 1 s for the event loop's own scheduling on a loaded machine.
    /// Both ends are events, neither a sleep nor a poll on the cooperative pool: the freeze is
    /// the SIGSTOP, and the peer is dead when the event loop detaches it from our node, watched
    /// from a thread of its own.
    @Test func idleConnectionSurvivesTicksAndAFrozenPeerIsDeclaredDead() async throws {
        let harness = try await Harness()
        let erl = try await harness.startEchoNode("tick1", extraArguments: ["-kernel", "net_ticktime", "4"])
        let swift = harness.connect(to: "tick1", configuration: Self.ticking)
        try await swift.waitUntilUp()
        let peer = "tick1@localhost"
        #expect(swift.node.connectedPeers.contains(peer))
        // Three tick periods with no traffic: both sides keep the connection. (A late wake-up only
        // makes the idle stretch longer.)
        try await Task.sleep(for: .seconds(12))
        guard case .up = swift.connection.state else {
            Issue.record("connection dropped while idle: \(swift.connection.state)")
            return
        }
        #expect(!erl.lines.contains { $0.contains("down") })
        let node = swift.node
        let frozenAt = ContinuousClock.now
        try await erl.freeze()
        let declaredDeadAt = try await momentWhen(timeout: .seconds(20)) { !node.connectedPeers.contains(peer) }
        let reason = try await swift.waitForFailure(timeout: .seconds(10))
        #expect(reason == .tickTimeout(node: peer, seconds: 4))
        let counted = try harness.metrics.expectCounter(
            "exesdb_exporter_peer_connects_total", [("peer", peer), ("result", "tick_timeout")])
        #expect(counted.totalValue == 1, "how the connection ended is counted")
        let detectedAfter = try #require(declaredDeadAt, "still connected 20 s after the freeze") - frozenAt
        #expect(detectedAfter <= .seconds(6), "declared dead after \(detectedAfter)")
        print("tick: declared dead \(detectedAfter) after the freeze")
        erl.thaw()
        await swift.stop()
        await erl.stop()
    }

    /// Once the node is back (its `ready` line, printed after it registered in EPMD), we are
    /// connected within one backoff step (1 s cap with 10% jitter here) and a handshake; the
    /// ceiling leaves room for the handshake with a node that is still starting, on a machine busy
    /// with the other suites. Measured from events: when the line was read, and when the event
    /// loop attached the new connection to our node (watched from a thread of its own).
    @Test func reconnectsAfterThePeerRestarts() async throws {
        let harness = try await Harness()
        var erl = try await harness.startEchoNode("restart1")
        let swift = harness.connect(to: "restart1", configuration: Self.ticking)
        try await swift.waitUntilUp()
        await erl.stop()
        _ = try await swift.waitForFailure()
        let (node, peer) = (swift.node, "restart1@localhost")
        try #require(!node.connectedPeers.contains(peer))
        async let connectedAt = momentWhen(timeout: .seconds(60)) { node.connectedPeers.contains(peer) }
        erl = try await harness.startEchoNode("restart1")
        let backAt = try #require(erl.moment(ofFirstLineContaining: "ready"))
        try await swift.waitUntilUp(timeout: .seconds(20))
        let reconnectedAfter = try #require(try await connectedAt, "not connected 60 s after the restart") - backAt
        #expect(reconnectedAfter <= .milliseconds(3000), "connected \(reconnectedAfter) after the node was back")
        print("restart: connected \(reconnectedAfter) after the node was back")
        let mailbox = swift.node.spawn()
        swift.node.send(
            .tuple([.atom("echo"), .pid(mailbox.pid), 1]), toName: "echo", on: "restart1@localhost", from: mailbox.pid)
        #expect(try await mailbox.messages.next().message.term() == .tuple([.atom("echoed"), 1]))
        await swift.stop()
        await erl.stop()
    }
}

/// A million small messages from a real node: all arrive, in order, in under a minute; read as
/// they come, and read in batches a millisecond apart (`ReadPacing`, here from any rate on).
@Suite(.serialized) struct SoakTests {
    @Test(arguments: [DistributionConfiguration.defaultFloodRate, 1])
    func millionMessagesArriveInOrder(floodRate: Int) async throws {
        var configuration = DistributionConfiguration.forTests
        configuration.floodRate = floodRate
        let alive = floodRate == 1 ? "soak2" : "soak1"
        let (erl, swift) = try await Harness.connected(to: alive, configuration: configuration)
        let count = 1_000_000
        let started = ContinuousClock.now
        let expected = await swift.soak(count, from: alive)
        let elapsed = ContinuousClock.now - started
        #expect(expected == count + 1)
        #expect(elapsed < .seconds(60), "took \(elapsed)")
        print("soak: \(count) messages in \(elapsed), flood rate \(floodRate) B/s")
        await swift.stop()
        await erl.stop()
    }
}
