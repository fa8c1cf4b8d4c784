import MetricsStore

/// The families this module emits (through swift-metrics), in the catalogue (docs/metrics.md).
public enum HTTPFamilies {
    public static let rejected = FamilyDescriptor.counter(
        "exesdb_exporter_http_rejected_total",
        help: "HTTP requests and connections refused (unauthorized, tls_handshake).", labels: ["reason"],
        expires: false)
    public static let scrapeDuration = FamilyDescriptor.histogram(
        "exesdb_exporter_scrape_duration_seconds", help: "Time to render one scrape.", labels: ["format"],
        expires: false)

    public static let all = [rejected, scrapeDuration]
}
