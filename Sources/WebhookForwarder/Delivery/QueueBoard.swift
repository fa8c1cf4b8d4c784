import Foundation
import NIOConcurrencyHelpers

/// One endpoint's queue as the landing page shows it.
public struct WebhookQueueStatus: Sendable, Equatable {
    public let endpoint: String
    /// Pending deliveries, those in flight and those waiting for a retry included.
    public let length: Int
    /// Seconds since the oldest pending delivery was accepted; nil when none is pending.
    public let oldestPendingAge: Double?
}

/// The queues' latest lengths, readable without waiting for the queues themselves.
final class QueueBoard: Sendable {
    private let entries: NIOLockedValueBox<[String: (length: Int, oldestCreatedAt: Double?)]>
    private let names: [String]

    init(endpoints: [String]) {
        names = endpoints
        entries = NIOLockedValueBox(Dictionary(uniqueKeysWithValues: endpoints.map { ($0, (0, nil)) }))
    }

    func update(_ endpoint: String, length: Int, oldestCreatedAt: Double?) {
        entries.withLockedValue { $0[endpoint] = (length, oldestCreatedAt) }
    }

    func snapshot(now: Double = Date().timeIntervalSince1970) -> [WebhookQueueStatus] {
        let entries = entries.withLockedValue { $0 }
        return names.map { name in
            let entry = entries[name]
            return WebhookQueueStatus(
                endpoint: name, length: entry?.length ?? 0,
                oldestPendingAge: entry?.oldestCreatedAt.map { max(0, now - $0) })
        }
    }
}
