import MetricDeclarations
import Metrics

/// The families this module emits (through swift-metrics), in the catalogue (docs/metrics.md).
public enum DistributionFamilies {
    public static let peerConnects = FamilyDescriptor.counter(
        "exesdb_exporter_peer_connects_total", help: "Connection attempts by outcome.", labels: ["peer", "result"],
        expires: false)
    public static let controlMessagesRejected = FamilyDescriptor.counter(
        "exesdb_exporter_control_messages_rejected_total", help: "Malformed distribution control messages dropped.",
        labels: ["peer", "reason"], expires: false)

    public static let all = [peerConnects, controlMessagesRejected]
}

/// The connection outcomes every path records, in `exesdb_exporter_peer_connects_total{peer, result}`.
enum ConnectionMetrics {
    static func recordAttempt(peer: String, result: String, factory: any MetricsFactory) {
        Counter(
            label: DistributionFamilies.peerConnects.name, dimensions: [("peer", peer), ("result", result)],
            factory: factory
        )
        .increment()
    }
}
