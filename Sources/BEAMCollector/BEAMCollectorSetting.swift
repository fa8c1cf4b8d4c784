/// The settings this module's messages tell an operator to change, by this module's own names.
/// An application that sets them otherwise (flags, config keys) writes its names in their place
/// in what it shows (the exporter: `SettingNames` in ExporterApp).
public enum BEAMCollectorSetting: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Whether the collector runs at all (an application makes a `BEAMCollector` or not).
    case enabled
    /// `BEAMCollectorConfiguration.timeout`.
    case timeout

    public var description: String { "BEAMCollectorSetting.\(rawValue)" }
}
