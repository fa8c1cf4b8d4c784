/// The settings this module's texts (its own families' help) speak of, by this module's own
/// names; `MetricsStore(configuration:settingNames:)` takes the names an application sets them by.
public enum StoreSetting: String, CaseIterable, Sendable, CustomStringConvertible {
    /// `StoreConfiguration.ttl`.
    case ttl
    /// `StoreConfiguration.maxSeries`.
    case maxSeries

    public var description: String { "StoreSetting.\(rawValue)" }
}
