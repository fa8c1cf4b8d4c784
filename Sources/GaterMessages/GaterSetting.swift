/// The settings this module's messages tell an operator to change, by this module's own names.
/// An application that sets them otherwise (flags, config keys) writes its names in their place
/// in what it shows (the exporter: `SettingNames` in ExporterApp).
public enum GaterSetting: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The secret signatures are checked with: `MessageIntake(secret:)`.
    case secret
    /// The buses whose messages are taken in (`GaterBus` names the nine); whoever subscribes
    /// chooses them.
    case buses

    public var description: String { "GaterSetting.\(rawValue)" }
}
