import ErlangTerm
import Logging
import MetricsTestKit
import NIOConcurrencyHelpers
import Testing

@_spi(Benchmarks) @testable import ErlangDistribution

/// The handshake state machine on crafted peer messages: what a real OTP node never sends (it
/// accepts our flags), so these feed the messages directly.
@Suite struct HandshakeTests {
    func makeHandshake(useVersion5: Bool = false) -> OutgoingHandshake {
        OutgoingHandshake(
            localName: "swift@localhost", peerLabel: "peer@localhost", creation: 7, cookie: Cookie("cookie"),
            ownChallenge: 1234, useVersion5: useVersion5)
    }

    func challenge(flags: DistributionFlags, challenge: UInt32 = 42) -> [UInt8] {
        var message: [UInt8] = [UInt8(ascii: "N")]
        message.appendBigEndian(flags.rawValue)
        message.appendBigEndian(challenge)
        message.appendBigEndian(UInt32(99))
        message.appendBigEndian(UInt16(14))
        return message + Array("peer@localhost".utf8)
    }

    @Test func nameMessageAdvertisesAHiddenOTP25Node() {
        let message = makeHandshake().nameMessage()
        #expect(message.first == UInt8(ascii: "N"))
        let flags = DistributionFlags(rawValue: message[1..<9].reduce(0) { $0 << 8 | UInt64($1) })
        #expect(flags.isSuperset(of: .mandatoryOTP25))
        #expect(flags.isSuperset(of: .mandatoryOTP26))
        #expect(!flags.contains(.published))
        #expect(!flags.contains(.distHeaderAtomCache))
        #expect(Array(message.suffix(15)) == Array("swift@localhost".utf8))
    }

    @Test func fullExchangeWithTheRightCookie() throws {
        var handshake = makeHandshake()
        #expect(try handshake.receive(Array("sok".utf8)).replies.isEmpty)
        let reply = try handshake.receive(challenge(flags: .advertised)).replies
        #expect(reply.count == 1)
        #expect(reply[0].first == UInt8(ascii: "r"))
        #expect(Array(reply[0][5...]) == handshakeDigest(challenge: 42, cookie: Cookie("cookie")))
        let ack = [UInt8(ascii: "a")] + handshakeDigest(challenge: 1234, cookie: Cookie("cookie"))
        let result = try #require(try handshake.receive(ack).result)
        #expect(result.peerName == "peer@localhost")
        #expect(result.peerCreation == 99)
    }

    @Test func digestIsMD5OfCookieAndDecimalChallenge() {
        // erlang:md5("cookie42") as the BEAM computes it.
        let expected: [UInt8] = [188, 75, 94, 63, 23, 7, 48, 18, 174, 167, 66, 162, 47, 94, 27, 106]
        #expect(handshakeDigest(challenge: 42, cookie: Cookie("cookie")) == expected)
    }

    @Test func peerWithoutMandatoryFlagsIsNamed() throws {
        var handshake = makeHandshake()
        _ = try handshake.receive(Array("sok".utf8))
        let lacking = DistributionFlags.advertised.subtracting([.utf8Atoms, .mapTag])
        #expect(
            throws: DistributionError.missingFlags(
                node: "peer@localhost", missing: ["DFLAG_UTF8_ATOMS", "DFLAG_MAP_TAG"])
        ) {
            try handshake.receive(challenge(flags: lacking))
        }
    }

    @Test func refusalsAndWrongDigestsAreTyped() throws {
        var refused = makeHandshake()
        #expect(throws: DistributionError.notAllowed(node: "peer@localhost", status: "not_allowed")) {
            try refused.receive(Array("snot_allowed".utf8))
        }
        var handshake = makeHandshake()
        _ = try handshake.receive(Array("sok".utf8))
        _ = try handshake.receive(challenge(flags: .advertised))
        let forged = [UInt8(ascii: "a")] + handshakeDigest(challenge: 1234, cookie: Cookie("other"))
        #expect(throws: DistributionError.peerFailedAuthentication(node: "peer@localhost")) {
            try handshake.receive(forged)
        }
        var early = makeHandshake()
        #expect(throws: DistributionError.self) { try early.receive([UInt8(ascii: "a")]) }
        var truncated = makeHandshake()
        _ = try truncated.receive(Array("sok".utf8))
        #expect(throws: DistributionError.self) {
            try truncated.receive(Array(challenge(flags: .advertised).prefix(10)))
        }
    }

    @Test func aliveStatusIsAnsweredTrue() throws {
        var handshake = makeHandshake()
        #expect(try handshake.receive(Array("salive".utf8)).replies == [Array("strue".utf8)])
    }

    @Test func version5PathSendsTheOldNameAndTheComplement() throws {
        var handshake = makeHandshake(useVersion5: true)
        let name = handshake.nameMessage()
        #expect(name.first == UInt8(ascii: "n"))
        #expect(name[1] == 0 && name[2] == 5)
        _ = try handshake.receive(Array("sok".utf8))
        let replies = try handshake.receive(challenge(flags: .advertised)).replies
        #expect(replies.count == 2)
        #expect(replies[0].first == UInt8(ascii: "c"))
        #expect(replies[1].first == UInt8(ascii: "r"))
    }
}

/// Malformed control messages cannot be produced by a real node, so they are fed to the
/// dispatcher directly, with a route that records what would be sent (a stand-in for a socket).
@Suite struct FrameDispatcherTests {
    final class RecordingRoute: PeerRoute {
        let peerName = "peer@localhost"
        let negotiated = DistributionFlags.advertised
        let sent = NIOLockedValueBox<[ControlMessage]>([])
        func send(_ control: ControlMessage, payload: Term?) { sent.withLockedValue { $0.append(control) } }
    }

    @Test func malformedControlMessagesAreCountedNotFatal() async throws {
        let metrics = TestMetrics()
        let node = LocalNode(name: NodeName(alive: "swift", host: "localhost"), creation: 1)
        let route = RecordingRoute()
        let dispatcher = FrameDispatcher(
            peer: "peer@localhost", node: node, route: route, limits: .default, logger: Logger(label: "test"),
            metrics: metrics)
        let mailbox = node.spawn(registeredName: "target")
        for bad: Term in [.tuple([99, .atom("x")]), .atom("nope"), .tuple([2, .atom(""), .atom("not_a_pid")])] {
            try dispatcher.dispatch([112] + bad.encoded())
        }
        let rejected = try metrics.expectCounter(
            "exesdb_exporter_control_messages_rejected_total", [("peer", "peer@localhost"), ("reason", "operation_99")])
        #expect(rejected.totalValue == 1)
        // Still delivering afterwards.
        let send = ControlMessage.registeredSend(from: mailbox.pid, to: "target")
        try dispatcher.dispatch([112] + send.term.encoded() + Term.atom("hello").encoded())
        var iterator = mailbox.messages.makeAsyncIterator()
        let delivered = await iterator.next()
        #expect(delivered?.message.term() == .atom("hello"))
        #expect(delivered?.sender == mailbox.pid)
    }

    @Test func corruptFramesEndTheConnection() {
        let node = LocalNode(name: NodeName(alive: "swift", host: "localhost"), creation: 1)
        let dispatcher = FrameDispatcher(
            peer: "peer@localhost", node: node, route: RecordingRoute(), limits: .default,
            logger: Logger(label: "test"), metrics: TestMetrics())
        #expect(throws: DistributionError.self) { try dispatcher.dispatch([113, 131, 106]) }
        #expect(throws: DistributionError.self) { try dispatcher.dispatch([112, 131, 104, 3, 97]) }
        let send = ControlMessage.send(to: Pid(node: "x@y", id: 1, serial: 0, creation: 1)).term.encoded()
        #expect(throws: DistributionError.self) { try dispatcher.dispatch([112] + send + [131, 109, 0, 0, 0, 9]) }
    }

    @Test func unlinkIDIsAcknowledgedAndSpawnIsRefused() throws {
        let node = LocalNode(name: NodeName(alive: "swift", host: "localhost"), creation: 1)
        let route = RecordingRoute()
        let dispatcher = FrameDispatcher(
            peer: "peer@localhost", node: node, route: route, limits: .default, logger: Logger(label: "test"),
            metrics: TestMetrics())
        let local = Pid(node: node.name, id: 5, serial: 0, creation: 1)
        let remote = Pid(node: "peer@localhost", id: 9, serial: 0, creation: 3)
        try dispatcher.dispatch([112] + Term.tuple([35, 77, .pid(remote), .pid(local)]).encoded())
        #expect(route.sent.withLockedValue { $0 } == [ControlMessage.unlinkIDAck(id: 77, from: local, to: remote)])
        let request = node.makeReference()
        let spawn = Term.tuple([
            29, .reference(request), .pid(remote), .pid(remote), .tuple([.atom("m"), .atom("f"), 0]), .list([]),
        ])
        try dispatcher.dispatch([112] + spawn.encoded() + Term.list([]).encoded())
        #expect(
            route.sent.withLockedValue { $0.last }
                == .spawnReply(request: request, to: remote, flags: 0, result: .atom("notsup")))
    }
}

/// Random and mutated frames into the dispatcher: corrupt ones end the connection with a typed
/// error, the rest are delivered or dropped; nothing crashes.
@Suite struct HostileFrameTests {
    @Test func randomFramesNeverCrashTheDispatcher() {
        let node = LocalNode(name: NodeName(alive: "swift", host: "localhost"), creation: 1)
        let mailbox = node.spawn(registeredName: "target")
        let dispatcher = FrameDispatcher(
            peer: "peer@localhost", node: node, route: FrameDispatcherTests.RecordingRoute(), limits: .default,
            logger: Logger(label: "test"), metrics: TestMetrics())
        let valid =
            [112] + ControlMessage.registeredSend(from: mailbox.pid, to: "target").term.encoded()
            + Term.tuple([.atom("hello"), .binary("world"), 42]).encoded()
        var generator = SystemRandomNumberGenerator()
        var corrupt = 0
        for round in 0..<5000 {
            var frame = valid
            if round % 2 == 0 {
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    frame[Int.random(in: 0..<frame.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
            } else {
                frame = (0..<Int.random(in: 0...64, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            }
            do {
                try dispatcher.dispatch(frame)
            } catch {
                corrupt += 1
                #expect(!error.description.isEmpty)
            }
        }
        #expect(corrupt > 2000)
    }
}
