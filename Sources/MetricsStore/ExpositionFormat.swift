/// The two text formats a scrape can ask for.
public enum ExpositionFormat: Sendable, Hashable, CaseIterable {
    /// `text/plain; version=0.0.4`
    case prometheusText
    /// `application/openmetrics-text; version=1.0.0`
    case openMetrics

    public var contentType: String {
        switch self {
        case .prometheusText: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// The value of the `format` label of `exesdb_exporter_scrape_duration_seconds`.
    public var metricLabel: String {
        switch self {
        case .prometheusText: "prometheus"
        case .openMetrics: "openmetrics"
        }
    }
}
