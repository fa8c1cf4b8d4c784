/// One POST, with everything libcurl needs to send it.
struct TransportRequest: Sendable {
    var url: String
    /// `Name: value` lines.
    var headers: [String]
    var body: [UInt8]
    var timeout: Duration
    var tls: EndpointTLSConfiguration
}

/// How an attempt ended.
enum TransportOutcome: Sendable, Equatable {
    /// The receiver answered. `bodyPrefix`: up to the first 512 bytes of its body.
    case response(status: Int, retryAfter: String?, bodyPrefix: String)
    /// No answer: connection refused, timeout, TLS failure... `code` is libcurl's CURLcode.
    case failure(code: Int, message: String)
    /// The transport stopped before the attempt ended.
    case cancelled
}

struct TransportResult: Sendable, Equatable {
    let outcome: TransportOutcome
    /// From the start of the attempt to its end, as libcurl measured it (seconds).
    let seconds: Double
}
