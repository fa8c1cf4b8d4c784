import Metrics

/// `exesdb_exporter_http_rejected_total{reason}`: requests and connections refused for bad
/// credentials or a failed TLS handshake.
struct HTTPRejections: Sendable {
    static let label = "exesdb_exporter_http_rejected_total"

    let unauthorized: Counter
    let tlsHandshake: Counter

    init(factory: any MetricsFactory) {
        unauthorized = Counter(label: Self.label, dimensions: [("reason", "unauthorized")], factory: factory)
        tlsHandshake = Counter(label: Self.label, dimensions: [("reason", "tls_handshake")], factory: factory)
    }
}
