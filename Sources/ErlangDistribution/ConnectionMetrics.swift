import Metrics

/// The connection outcomes every path records, in the catalogue's
/// `exesdb_exporter_peer_connects_total{peer, result}`.
enum ConnectionMetrics {
    static func recordAttempt(peer: String, result: String, factory: any MetricsFactory) {
        Counter(
            label: "exesdb_exporter_peer_connects_total", dimensions: [("peer", peer), ("result", result)],
            factory: factory
        )
        .increment()
    }
}
