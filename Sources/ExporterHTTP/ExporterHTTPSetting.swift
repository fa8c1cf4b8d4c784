/// The settings this module's messages tell an operator to change, by this module's own names.
/// An application that sets them otherwise (flags, config keys) writes its names in their place
/// in what it shows (the exporter: `SettingNames` in ExporterApp); the server's own answers
/// take them from `ExporterHTTPSources.settingNames`.
public enum ExporterHTTPSetting: String, CaseIterable, Sendable, CustomStringConvertible {
    /// `ExporterHTTPConfiguration.listenAddresses`.
    case listenAddresses
    /// `ExporterHTTPConfiguration.telemetryPath`.
    case telemetryPath
    /// `ExporterHTTPConfiguration.webConfigFile`.
    case webConfigFile
    /// `ConnectionLimits.readHeaderTimeout`.
    case readHeaderTimeout
    /// `ConnectionLimits.idleTimeout`.
    case idleTimeout
    /// `ConnectionLimits.maxConnections`.
    case maxConnections
    /// `ExporterHTTPConfiguration.enableLifecycle`.
    case enableLifecycle

    public var description: String { "ExporterHTTPSetting.\(rawValue)" }
}
