/// The settings this module's messages tell an operator to change, by this module's own names.
/// An application that sets them otherwise (flags) writes its names in their place in what it
/// shows (the exporter: `SettingNames` in ExporterApp).
public enum ConfigFileSetting: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Where the file is read from: `ConfigFile.load(path:)`.
    case path

    public var description: String { "ConfigFileSetting.\(rawValue)" }
}
