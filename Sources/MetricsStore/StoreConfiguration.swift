/// Limits that keep the store bounded whatever the cluster sends.
public struct StoreConfiguration: Sendable, Equatable {
    /// Series of expiring families not updated for this long are removed (`--metrics.ttl`).
    public var ttl: Duration
    /// Beyond this many live series, new series are dropped and counted (`--metrics.max-series`).
    /// Families that never expire (the exporter's own) are exempt, so self-monitoring survives.
    public var maxSeries: Int
    /// Label values longer than this many UTF-8 bytes are cut at a character boundary.
    public var maxLabelValueBytes: Int

    public init(ttl: Duration = .seconds(300), maxSeries: Int = 100_000, maxLabelValueBytes: Int = 128) {
        self.ttl = ttl
        self.maxSeries = maxSeries
        self.maxLabelValueBytes = maxLabelValueBytes
    }
}
