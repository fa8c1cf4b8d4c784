/// The five metric types the store serves.
public enum MetricType: String, Sendable {
    case counter, gauge, histogram, stateset, info
}

/// What a family is: its name as Prometheus stores it, help, type, unit and label names.
///
/// Names follow the catalogue (docs/metrics.md): counters end in `_total`, info families in `_info`;
/// the OpenMetrics renderer derives the family name without those suffixes.
public struct FamilyDescriptor: Sendable, Equatable {
    public var name: String
    public var help: String
    public var type: MetricType
    /// OpenMetrics `# UNIT` (e.g. `seconds`, `ratio`, `bytes`); the name must end with it.
    public var unit: String?
    public var labelNames: [String]
    /// Histogram upper bounds, ascending, without +Inf.
    public var buckets: [Double]
    /// Stateset states, in the order they render.
    public var states: [String]
    /// Whether series not updated for the store's TTL are removed. Exporter and process
    /// families never expire.
    public var expires: Bool

    public init(
        name: String, help: String, type: MetricType, unit: String? = nil, labelNames: [String] = [],
        buckets: [Double] = [], states: [String] = [], expires: Bool = true
    ) {
        self.name = name
        self.help = help
        self.type = type
        self.unit = unit
        self.labelNames = labelNames
        self.buckets = buckets
        self.states = states
        self.expires = expires
    }

    /// The default histogram buckets in seconds, as docs/metrics.md gives them.
    public static let defaultBuckets: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]
}
