/// The settings this module's messages tell an operator to change, by this module's own names.
/// An application that sets them otherwise (flags, config keys) writes its names in their place
/// in what it shows (the exporter: `SettingNames` in ExporterApp).
public enum PubSubSetting: String, CaseIterable, Sendable, CustomStringConvertible {
    /// `PubSubConfiguration.scope`.
    case scope

    public var description: String { "PubSubSetting.\(rawValue)" }
}
