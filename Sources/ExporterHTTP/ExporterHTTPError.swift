/// What can stop the HTTP side from starting, worded for the operator.
public enum ExporterHTTPError: Error, Equatable, CustomStringConvertible {
    /// A listen address that cannot be parsed.
    case invalidListenAddress(value: String, reason: String)
    /// A telemetry path that cannot be served.
    case invalidTelemetryPath(value: String, reason: String)
    /// Another socket already listens on that address.
    case addressInUse(address: String)
    /// Binding failed for another reason (no such address, permission).
    case cannotListen(address: String, reason: String)
    /// A connection limit or timeout that cannot be used.
    case invalidLimit(setting: ExporterHTTPSetting, reason: String)

    public var description: String {
        switch self {
        case .invalidListenAddress(let value, let reason):
            "invalid \(ExporterHTTPSetting.listenAddresses)=\(value): \(reason); expected host:port, :port or [IPv6]:port"
        case .invalidTelemetryPath(let value, let reason):
            "invalid \(ExporterHTTPSetting.telemetryPath)=\(value): \(reason); expected a path such as /metrics"
        case .addressInUse(let address):
            "address already in use: \(ExporterHTTPSetting.listenAddresses)=\(address) (another process listens there; "
                + "stop it or choose another address)"
        case .cannotListen(let address, let reason):
            "cannot listen on \(ExporterHTTPSetting.listenAddresses)=\(address): \(reason)"
        case .invalidLimit(let setting, let reason):
            "invalid \(setting): \(reason)"
        }
    }
}
