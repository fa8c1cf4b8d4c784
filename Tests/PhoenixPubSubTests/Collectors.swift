import ClusterSubscription
import ErlangTerm
import GaterMessages
import PhoenixPubSub

/// What the tests read: the broadcasts a `PubSubSubscriber` hands on, as copies in a stream (they
/// are handed on in the read buffer's bytes, on the reading thread), with how each came.
final class BroadcastCollector: BroadcastReceiver {
    enum Form: Sendable { case wire, decoded, unreadable }

    struct Collected: Sendable {
        let broadcast: Broadcast
        let form: Form
    }

    let stream: AsyncStream<Collected>
    private let sink: AsyncStream<Collected>.Continuation

    init() { (stream, sink) = AsyncStream<Collected>.makeStream() }

    func receive(_ broadcast: WireBroadcast) {
        let owned =
            broadcast.owned()
            ?? Broadcast(peer: broadcast.peer, bus: broadcast.bus, topic: broadcast.topic, payload: .unreadable)
        sink.yield(Collected(broadcast: owned, form: .wire))
    }

    func receive(_ broadcast: Broadcast) {
        let form: Form = if case .unreadable = broadcast.payload { .unreadable } else { .decoded }
        sink.yield(Collected(broadcast: broadcast, form: form))
    }
}

/// The messages a `ClusterSubscription` accepts, in a stream.
final class MessageCollector: MessageConsumer {
    let messages: AsyncStream<ReceivedMessage>
    private let sink: AsyncStream<ReceivedMessage>.Continuation

    init() { (messages, sink) = AsyncStream<ReceivedMessage>.makeStream() }

    func consume(_ message: borrowing GaterMessage, peer: String, bus: String, topic: String, receivedAt: Double) {
        sink.yield(ReceivedMessage(peer: peer, bus: bus, topic: topic, message: copy message, receivedAt: receivedAt))
    }
}
