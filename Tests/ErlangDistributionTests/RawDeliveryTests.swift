import ErlangTerm
import Logging
import MetricsTestKit
import Testing

@testable import ErlangDistribution

/// Processes that take their messages as the bytes they arrived in (`LocalNode.spawnRaw`): the
/// frame is handed on untouched, undecoded, and a payload that is no term is theirs to refuse,
/// not a reason to end the connection.
@Suite struct RawDeliveryTests {
    let node = LocalNode(name: NodeName(alive: "swift", host: "localhost"), creation: 1)

    func dispatcher() -> FrameDispatcher {
        FrameDispatcher(
            peer: "peer@localhost", node: node, route: FrameDispatcherTests.RecordingRoute(), limits: .default,
            logger: Logger(label: "test"), metrics: TestMetrics())
    }

    func next(_ mailbox: RawMailbox) async -> RawDelivery? {
        var iterator = mailbox.messages.makeAsyncIterator()
        return await iterator.next()
    }

    @Test func aRawProcessGetsTheFrameAsItCame() async throws {
        let raw = node.spawnRaw(registeredName: "target")
        let from = Pid(node: "peer@localhost", id: 9, serial: 0, creation: 3)
        let payload = Term.tuple([.atom("hello"), .binary("world"), 42])
        let control = ControlMessage.registeredSend(from: from, to: "target").term.encoded()
        let frame = [112] + control + payload.encoded()
        var dispatcher = dispatcher()
        try dispatcher.dispatch(frame)
        let delivery = try #require(await next(raw))
        #expect(delivery.bytes == frame && delivery.offset == 1 + control.count)
        #expect(delivery.sender == from && delivery.peer == "peer@localhost")
        #expect(delivery.decoded()?.message.term() == payload)
    }

    @Test func sendSenderToARawPidIsHandedOnToo() async throws {
        let raw = node.spawnRaw()
        let from = Pid(node: "peer@localhost", id: 9, serial: 0, creation: 3)
        let frame =
            [112] + ControlMessage.sendSender(from: from, to: raw.pid).term.encoded() + Term.atom("ping").encoded()
        var dispatcher = dispatcher()
        try dispatcher.dispatch(frame)
        #expect(try #require(await next(raw)).decoded()?.message.term() == .atom("ping"))
    }

    @Test func aPayloadThatIsNoTermReachesARawProcessAndEndsNoConnection() async throws {
        let raw = node.spawnRaw(registeredName: "target")
        let garbage: [UInt8] = [131, 104, 9, 1, 2]
        let frame =
            [112] + ControlMessage.registeredSend(from: raw.pid, to: "target").term.encoded() + garbage
        var dispatcher = dispatcher()
        try dispatcher.dispatch(frame)
        let delivery = try #require(await next(raw))
        #expect(delivery.decoded() == nil, "the raw process refuses it")
        // The same payload for an ordinary process is a corrupt frame, as before.
        _ = node.spawn(registeredName: "decoded")
        let decodedFrame =
            [112] + ControlMessage.registeredSend(from: raw.pid, to: "decoded").term.encoded() + garbage
        #expect(throws: DistributionError.self) { try dispatcher.dispatch(decodedFrame) }
    }

    @Test func aLocalSendReachesARawProcessAsBytes() async throws {
        let raw = node.spawnRaw()
        let sender = node.spawn()
        #expect(node.send(.tuple([.atom("local"), 1]), to: raw.pid, from: sender.pid))
        let delivery = try #require(await next(raw))
        #expect(delivery.offset == 0 && delivery.bytes.first == 131)
        #expect(delivery.decoded()?.message.term() == .tuple([.atom("local"), 1]))
    }
}
