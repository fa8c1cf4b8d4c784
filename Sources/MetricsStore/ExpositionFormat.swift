/// The two text formats a scrape can ask for.
public enum ExpositionFormat: Sendable, CaseIterable {
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
}
