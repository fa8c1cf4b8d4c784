/// What can stop the HTTP side from starting, worded for the operator.
public enum ExporterHTTPError: Error, Equatable, CustomStringConvertible {
    /// A `--web.listen-address` value that cannot be parsed.
    case invalidListenAddress(value: String, reason: String)
    /// A `--web.telemetry-path` value that cannot be served.
    case invalidTelemetryPath(value: String, reason: String)
    /// Another socket already listens on that address.
    case addressInUse(address: String)
    /// Binding failed for another reason (no such address, permission).
    case cannotListen(address: String, reason: String)
    /// A connection limit or timeout that cannot be used.
    case invalidLimit(flag: String, reason: String)

    public var description: String {
        switch self {
        case .invalidListenAddress(let value, let reason):
            "invalid --web.listen-address=\(value): \(reason); expected host:port, :port or [IPv6]:port"
        case .invalidTelemetryPath(let value, let reason):
            "invalid --web.telemetry-path=\(value): \(reason); expected a path such as /metrics"
        case .addressInUse(let address):
            "address already in use: --web.listen-address=\(address) (another process listens there; "
                + "stop it or choose another address)"
        case .cannotListen(let address, let reason):
            "cannot listen on --web.listen-address=\(address): \(reason)"
        case .invalidLimit(let flag, let reason):
            "invalid --\(flag): \(reason)"
        }
    }
}
