import Metrics

/// `exesdb_exporter_http_rejected_total{reason}`: requests and connections refused: bad
/// credentials, too many failed logins from one address, a failed TLS handshake, a request not
/// read in time, the connection limit, no file descriptor left to accept with.
struct HTTPRejections: Sendable {
    static let label = HTTPFamilies.rejected.name

    let unauthorized: Counter
    let rateLimited: Counter
    let tlsHandshake: Counter
    let headerTimeout: Counter
    let connectionLimit: Counter
    let fileDescriptors: Counter

    init(factory: any MetricsFactory) {
        func counter(_ reason: String) -> Counter {
            Counter(label: Self.label, dimensions: [("reason", reason)], factory: factory)
        }
        unauthorized = counter("unauthorized")
        rateLimited = counter("rate_limited")
        tlsHandshake = counter("tls_handshake")
        headerTimeout = counter("header_timeout")
        connectionLimit = counter("connection_limit")
        fileDescriptors = counter("file_descriptors")
    }
}
