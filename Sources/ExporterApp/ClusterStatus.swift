import ClusterSubscription
import ExporterHTTP
import Foundation
import GaterMessages
import Synchronization

/// What the landing page and `/-/ready` say about the cluster: the nodes followed, whether each
/// is subscribed (and why not), when its last accepted message arrived on each bus, and what of
/// its messages was rejected.
public final class ClusterStatus: Sendable {
    private let subscription = Mutex<(ClusterSubscription, MessageIntake)?>(nil)
    private let buses: [String]
    /// A node whose every message of this long was rejected makes the exporter not ready.
    static let rejectionWindow = 60.0

    public init(buses: [String]) { self.buses = buses }

    func attach(_ subscription: ClusterSubscription, intake: MessageIntake) {
        self.subscription.withLock { $0 = (subscription, intake) }
    }

    /// Ready once at least one node is connected and subscribed (before that a scrape has no
    /// ExESDB series to give), unless every message that came in the last minute was rejected:
    /// connected nodes whose messages are all refused (a missing or wrong SECRET_KEY_BASE) are no
    /// more use than none.
    public func readiness(now: Double = Date().timeIntervalSince1970) -> Readiness {
        guard let (subscription, intake) = subscription.withLock({ $0 }), !subscription.subscribedPeers.isEmpty else {
            return .notReady(
                "no ExESDB node is connected and subscribed yet (see the landing page for each node's error)")
        }
        let since = now - Self.rejectionWindow
        let recent = intake.channelStatus().filter { max($0.lastAccepted ?? 0, $0.lastRejected ?? 0) >= since }
        guard !recent.isEmpty, recent.allSatisfy({ ($0.lastAccepted ?? 0) < since }) else { return .ready }
        var reasons: [MessageRejection: Int] = [:]
        for channel in recent { reasons.merge(channel.rejected) { $0 + $1 } }
        let main = reasons.max { $0.value < $1.value }?.key ?? .malformed
        return .notReady(
            "every message of the last \(Int(Self.rejectionWindow)) s was rejected, most as \(main.label): "
                + MessageIntake.explain(main))
    }

    public func peers(now: Double = Date().timeIntervalSince1970) -> [PeerStatus] {
        let current = subscription.withLock { $0 }
        let subscribed = current?.0.subscribedPeers ?? []
        let errors = current?.0.connectionErrors ?? [:]
        // Per node, when its last accepted message arrived on each bus, and its rejections.
        var seen: [String: [String: Double]] = [:]
        var rejected: [String: [String: Int]] = [:]
        for channel in current?.1.channelStatus() ?? [] {
            if let at = channel.lastAccepted { seen[channel.peer, default: [:]][channel.bus] = at }
            for (reason, count) in channel.rejected {
                rejected[channel.peer, default: [:]][reason.label, default: 0] += count
            }
        }
        let names = (current?.0.followedPeers ?? []).union(subscribed).union(seen.keys).union(rejected.keys)
        return names.sorted().map { name in
            PeerStatus(
                name: name, buses: buses, connected: subscribed.contains(name),
                lastMessageAgeSeconds: seen[name]?.values.max().map { max(0, now - $0) },
                lastMessageAgeByBus: (seen[name] ?? [:]).mapValues { max(0, now - $0) },
                lastError: subscribed.contains(name) ? nil : errors[name], rejected: rejected[name] ?? [:])
        }
    }
}
