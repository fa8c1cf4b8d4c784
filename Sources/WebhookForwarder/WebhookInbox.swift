import GaterMessages
import Logging
import Synchronization

/// The alert messages the ingest path hands on without waiting (`WebhookForwarder.submit`), in the
/// order they were submitted, for the forwarder's own task to process; the other kinds never
/// enter. Bounded: past `capacity` waiting messages, new ones are refused (and the caller counts
/// them), so a flood of escalations cannot grow memory without end while deliveries are slow.
final class WebhookInbox: Sendable {
    struct Item: Sendable {
        let message: GaterMessage
        let node: String
    }

    let items: AsyncStream<Item>
    private let sink: AsyncStream<Item>.Continuation
    private let waiting = Atomic<Int>(0)
    let capacity: Int

    init(capacity: Int = 65_536) {
        self.capacity = capacity
        (items, sink) = AsyncStream<Item>.makeStream()
    }

    /// False when the inbox is full or closed.
    func submit(_ item: Item) -> Bool {
        guard waiting.add(1, ordering: .relaxed).newValue <= capacity else {
            waiting.subtract(1, ordering: .relaxed)
            return false
        }
        if case .terminated = sink.yield(item) {
            waiting.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Called by the consumer for each item it took.
    func taken() { waiting.subtract(1, ordering: .relaxed) }

    /// No more items; those submitted before are still delivered to the consumer.
    func close() { sink.finish() }
}

extension GaterMessage {
    /// The kinds the forwarder does something with: `submit` takes the others at once and does
    /// nothing, so a caller holding a borrowed message copies only these.
    public var concernsWebhooks: Bool {
        switch self {
        case .systemAlert, .alertEscalation, .alertAcknowledgement, .securityAlert: true
        default: false
        }
    }
}
