/// The settings this module's messages tell an operator to change, by this module's own names.
/// An application that sets them otherwise (flags, config keys) writes its names in their place
/// in what it shows (the exporter: `SettingNames` in ExporterApp).
public enum DistributionSetting: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The nodes connected to: `NodeConnection(peer:)`, `NodeName.defaultLocal(peers:)`.
    case peers
    /// This node's name: `LocalNode.name`.
    case localName
    /// Where the cookie is read from: `Cookie.load(file:)`.
    case cookieFile
    /// `DistributionConfiguration.maxFrameSize`.
    case maxFrameSize

    public var description: String { "DistributionSetting.\(rawValue)" }
}
