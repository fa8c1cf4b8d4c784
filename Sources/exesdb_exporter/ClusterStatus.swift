import ClusterSubscription
import ExporterHTTP
import Foundation
import GaterMessages
import Synchronization

/// What the landing page and `/-/ready` say about the cluster: the nodes followed, whether each
/// is subscribed, and when its last accepted message arrived on each bus.
final class ClusterStatus: Sendable {
    private let subscription = Mutex<(ClusterSubscription, MessageIntake)?>(nil)
    private let buses: [String]

    init(buses: [String]) { self.buses = buses }

    func attach(_ subscription: ClusterSubscription, intake: MessageIntake) {
        self.subscription.withLock { $0 = (subscription, intake) }
    }

    /// Ready once at least one node is connected and subscribed: before that a scrape has no
    /// ExESDB series to give.
    var isReady: Bool { !(subscription.withLock { $0 }?.0.subscribedPeers.isEmpty ?? true) }

    func peers(now: Double = Date().timeIntervalSince1970) -> [PeerStatus] {
        let current = subscription.withLock { $0 }
        let subscribed = current?.0.subscribedPeers ?? []
        // Per node, when its last accepted message arrived on each bus.
        var seen: [String: [String: Double]] = [:]
        for channel in current?.1.channelStatus() ?? [] {
            if let at = channel.lastAccepted { seen[channel.peer, default: [:]][channel.bus] = at }
        }
        let names = (current?.0.followedPeers ?? []).union(subscribed).union(seen.keys)
        return names.sorted().map { name in
            PeerStatus(
                name: name, buses: buses, connected: subscribed.contains(name),
                lastMessageAgeSeconds: seen[name]?.values.max().map { max(0, now - $0) },
                lastMessageAgeByBus: (seen[name] ?? [:]).mapValues { max(0, now - $0) })
        }
    }
}
