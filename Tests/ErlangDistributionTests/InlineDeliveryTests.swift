import ErlangTerm
import Foundation
import Logging
import MetricsTestKit
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@_spi(Benchmarks) @testable import ErlangDistribution

/// Inline processes (`LocalNode.spawnInline`): a message for one is handed to its receiver on the
/// reading thread, in the frame's own bytes, undecoded; a payload that is no term is theirs to
/// refuse, not a reason to end the connection.
@Suite struct InlineDeliveryTests {
    let node = LocalNode(name: NodeName(alive: "swift", host: "localhost"), creation: 1)

    /// What an inline process got: copies, since the bytes are only lent for the call.
    final class Recorder: InlineReceiver {
        struct Received: Sendable {
            let peer: String
            let sender: Pid?
            let bytes: [UInt8]
            let offset: Int
            let arrivedAt: Double
            var term: Term? { try? TermView(parsing: bytes, at: offset, wholeInput: true).term() }
        }

        let received = Mutex<[Received]>([])

        func receive(_ delivery: InlineDelivery) {
            let copy = Received(
                peer: delivery.peer, sender: delivery.sender, bytes: Array(delivery.bytes), offset: delivery.offset,
                arrivedAt: delivery.arrivedAt)
            received.withLock { $0.append(copy) }
        }

        var all: [Received] { received.withLock { $0 } }
    }

    func dispatcher() -> FrameDispatcher {
        FrameDispatcher(
            peer: "peer@localhost", node: node, route: FrameDispatcherTests.RecordingRoute(), limits: .default,
            logger: Logger(label: "test"), metrics: TestMetrics())
    }

    @Test func anInlineProcessGetsTheFrameAsItCame() throws {
        let recorder = Recorder()
        let process = node.spawnInline(recorder, registeredName: "target")
        let from = Pid(node: "peer@localhost", id: 9, serial: 0, creation: 3)
        let payload = Term.tuple([.atom("hello"), .binary("world"), 42])
        let control = ControlMessage.registeredSend(from: from, to: "target").term.encoded()
        let frame = [112] + control + payload.encoded()
        try dispatcher().dispatch(frame)
        let delivery = try #require(recorder.all.first)
        #expect(delivery.bytes == frame && delivery.offset == 1 + control.count)
        #expect(delivery.sender == from && delivery.peer == "peer@localhost")
        #expect(delivery.term == payload)
        _ = process
    }

    @Test func sendSenderToAnInlinePidIsHandedOnInPlace() throws {
        let recorder = Recorder()
        let process = node.spawnInline(recorder)
        let from = Pid(node: "peer@localhost", id: 9, serial: 0, creation: 3)
        let frame =
            [112] + ControlMessage.sendSender(from: from, to: process.pid).term.encoded() + Term.atom("ping").encoded()
        try dispatcher().dispatch(frame)
        #expect(recorder.all.map(\.term) == [.atom("ping")])
        #expect(recorder.all.first?.sender == from)
    }

    @Test func aPayloadThatIsNoTermReachesAnInlineProcessAndEndsNoConnection() throws {
        let recorder = Recorder()
        let process = node.spawnInline(recorder, registeredName: "target")
        let garbage: [UInt8] = [131, 104, 9, 1, 2]
        let frame = [112] + ControlMessage.registeredSend(from: process.pid, to: "target").term.encoded() + garbage
        let dispatcher = dispatcher()
        try dispatcher.dispatch(frame)
        #expect(recorder.all.count == 1 && recorder.all.first?.term == nil, "the inline process refuses it")
        // The same payload for an ordinary process is a corrupt frame, as before.
        _ = node.spawn(registeredName: "decoded")
        let decodedFrame =
            [112] + ControlMessage.registeredSend(from: process.pid, to: "decoded").term.encoded() + garbage
        #expect(throws: DistributionError.self) { try dispatcher.dispatch(decodedFrame) }
    }

    @Test func aLocalSendReachesAnInlineProcessAsBytes() throws {
        let recorder = Recorder()
        let process = node.spawnInline(recorder)
        let sender = node.spawn()
        #expect(node.send(.tuple([.atom("local"), 1]), to: process.pid, from: sender.pid))
        let delivery = try #require(recorder.all.first)
        #expect(delivery.offset == 0 && delivery.bytes.first == 131)
        #expect(delivery.term == .tuple([.atom("local"), 1]))
    }

    /// A connection remembers the inline process it delivered to last (no lock per broadcast), and
    /// forgets it as soon as any inline process comes or goes: one that exited gets nothing more.
    /// Each delivery carries the time of the read that brought it.
    @Test func theRememberedInlineProcessIsForgottenWhenItExits() throws {
        let (first, second) = (Recorder(), Recorder())
        var process: LocalProcess? = node.spawnInline(first)
        let pid = try #require(process?.pid)
        let from = Pid(node: "peer@localhost", id: 9, serial: 0, creation: 3)
        func frame(to target: Pid, _ text: String) -> [UInt8] {
            [112] + ControlMessage.sendSender(from: from, to: target).term.encoded() + Term.atom(text).encoded()
        }
        let dispatcher = dispatcher()
        try frame(to: pid, "one").withUnsafeBufferPointer { try dispatcher.dispatch($0, arrivedAt: 1_700_000_001) }
        let other = node.spawnInline(second)
        try frame(to: pid, "two").withUnsafeBufferPointer { try dispatcher.dispatch($0, arrivedAt: 1_700_000_002) }
        try frame(to: other.pid, "three").withUnsafeBufferPointer { try dispatcher.dispatch($0) }
        process = nil
        try frame(to: pid, "late").withUnsafeBufferPointer { try dispatcher.dispatch($0) }
        try frame(to: other.pid, "four").withUnsafeBufferPointer { try dispatcher.dispatch($0) }
        #expect(first.all.map(\.term) == [.atom("one"), .atom("two")], "nothing after it exited")
        #expect(first.all.map(\.arrivedAt) == [1_700_000_001, 1_700_000_002])
        #expect(second.all.map(\.term) == [.atom("three"), .atom("four")])
        #expect(second.all.allSatisfy { abs($0.arrivedAt - Date().timeIntervalSince1970) < 60 }, "now by default")
    }

    @Test func anInlineProcessThatExitedGetsNothing() throws {
        let recorder = Recorder()
        var process: LocalProcess? = node.spawnInline(recorder)
        let pid = try #require(process?.pid)
        process = nil
        let frame = [112] + ControlMessage.send(to: pid).term.encoded() + Term.atom("late").encoded()
        try dispatcher().dispatch(frame)
        #expect(recorder.all.isEmpty)
        #expect(!node.send(.atom("late"), to: pid, from: pid))
    }
}

/// The connection's framing after the handshake, on an embedded channel: frames are dispatched
/// straight from each read's bytes, and a frame cut anywhere by the reads (its length header
/// too) is put together again, whatever the read sizes.
@Suite struct FramingTests {
    let node = LocalNode(name: NodeName(alive: "swift", host: "localhost"), creation: 1)
    let cookie = Cookie("cookie")

    /// A channel whose handler has completed an outgoing handshake with `peer@localhost`.
    func connectedChannel(
        maxFrameSize: Int = 64 << 20, lastHandshakeBytesThen extra: [UInt8] = []
    ) throws
        -> (EmbeddedChannel, ConnectionPromises)
    {
        let channel = EmbeddedChannel()
        let promises = ConnectionPromises(on: channel.eventLoop)
        let handshake = HandshakeState.outgoing(
            OutgoingHandshake(
                localName: "swift@localhost", peerLabel: "peer@localhost", creation: 1, cookie: cookie,
                ownChallenge: 1234, useVersion5: false))
        var configuration = DistributionConfiguration()
        configuration.maxFrameSize = maxFrameSize
        try channel.pipeline.syncOperations.addHandler(
            DistributionHandler(
                handshake: handshake, node: node, configuration: configuration, logger: Logger(label: "test"),
                metrics: TestMetrics(), promises: promises))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let ack = [UInt8(ascii: "a")] + handshakeDigest(challenge: 1234, cookie: cookie)
        let messages = [Array("sok".utf8), HandshakeTests().challenge(flags: .advertised), ack]
        var bytes: [UInt8] = []
        for message in messages {
            bytes += [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
        }
        try channel.writeInbound(ByteBuffer(bytes: bytes + extra))
        return (channel, promises)
    }

    /// Frames of SEND_SENDER to `pid`, the payloads 0..<count, with a tick (length 0) after every seventh.
    func frames(to pid: Pid, count: Int) -> [UInt8] {
        let from = Pid(node: "peer@localhost", id: 9, serial: 0, creation: 3)
        let control = ControlMessage.sendSender(from: from, to: pid).term.encoded()
        var stream: [UInt8] = []
        for index in 0..<count {
            let frame =
                [112] + control
                + Term.tuple([.atom("n"), .integer(index), .binary(Array(repeating: 7, count: index % 300))]).encoded()
            let length = UInt32(frame.count)
            stream += withUnsafeBytes(of: length.bigEndian, Array.init) + frame
            if index % 7 == 0 { stream += [0, 0, 0, 0] }
        }
        return stream
    }

    func sequence(_ recorder: InlineDeliveryTests.Recorder) -> [Int] {
        recorder.all.compactMap { received in
            guard case .tuple(let fields)? = received.term, case .integer(let index) = fields[1] else { return nil }
            return index
        }
    }

    @Test(arguments: [1, 2, 3, 5, 64, 1000, 4096])
    func framesCutAnywhereByTheReadsArriveWholeAndInOrder(readSize: Int) throws {
        let recorder = InlineDeliveryTests.Recorder()
        let process = node.spawnInline(recorder)
        let (channel, promises) = try connectedChannel()
        _ = try promises.handshake.futureResult.wait()
        let stream = frames(to: process.pid, count: 200)
        var offset = 0
        var random = SystemRandomNumberGenerator()
        while offset < stream.count {
            // The given size, or now and then a random one, so cuts fall at every kind of place.
            let size = Bool.random(using: &random) ? readSize : Int.random(in: 1...max(1, 2 * readSize), using: &random)
            let end = min(stream.count, offset + size)
            try channel.writeInbound(ByteBuffer(bytes: stream[offset..<end]))
            offset = end
        }
        #expect(sequence(recorder) == Array(0..<200))
        #expect(channel.isActive)
    }

    @Test func framesInTheReadThatEndsTheHandshakeAreDispatched() throws {
        let recorder = InlineDeliveryTests.Recorder()
        let process = node.spawnInline(recorder)
        let stream = frames(to: process.pid, count: 20)
        // The handshake's last message, all of the first frames and half of another, in one read.
        let (channel, _) = try connectedChannel(lastHandshakeBytesThen: Array(stream.prefix(stream.count - 40)))
        try channel.writeInbound(ByteBuffer(bytes: stream.suffix(40)))
        #expect(sequence(recorder) == Array(0..<20))
    }

    @Test func aFrameOverTheLimitEndsTheConnectionEvenWithItsLengthCutInTwo() throws {
        let (channel, promises) = try connectedChannel(maxFrameSize: 1000)
        _ = try promises.handshake.futureResult.wait()
        try channel.writeInbound(ByteBuffer(bytes: [0, 0]))
        try channel.writeInbound(ByteBuffer(bytes: [0x10, 0x00, 112]))
        #expect(
            try promises.closed.futureResult.wait()
                == .frameTooLarge(node: "peer@localhost", size: 0x1000, limit: 1000))
    }
}
