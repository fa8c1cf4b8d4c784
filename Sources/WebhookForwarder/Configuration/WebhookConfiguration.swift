import ExporterConfiguration

/// The `webhooks:` section of the config file (docs/webhooks.md).
///
/// ```yaml
/// webhooks:
///   spool_dir: /var/lib/exesdb_exporter/spool   # overridden by --webhook.spool-dir
///   dedup_window: 5m          # identical escalations within this window are sent once
///   alert_cache_ttl: 24h      # how long a SystemAlert is kept to join its escalations
///   alert_cache_size: 10000
///   external_url: https://exporter.example:9571  # externalURL and generatorURL of the payloads
///   endpoints: [...]          # see WebhookEndpointConfiguration
/// ```
public struct WebhookConfiguration: Sendable, Equatable, Decodable {
    public static let defaultSpoolDirectory = "data/webhook-spool"

    /// Where deliveries are spooled until they complete.
    public var spoolDirectory: String
    public var endpoints: [WebhookEndpointConfiguration]
    public var dedupWindow: Duration
    public var alertCacheTTL: Duration
    public var alertCacheSize: Int
    public var externalURL: String

    public init(
        spoolDirectory: String = Self.defaultSpoolDirectory, endpoints: [WebhookEndpointConfiguration] = [],
        dedupWindow: Duration = .seconds(300), alertCacheTTL: Duration = .seconds(86_400), alertCacheSize: Int = 10_000,
        externalURL: String = ""
    ) {
        self.spoolDirectory = spoolDirectory
        self.endpoints = endpoints
        self.dedupWindow = dedupWindow
        self.alertCacheTTL = alertCacheTTL
        self.alertCacheSize = alertCacheSize
        self.externalURL = externalURL
    }

    static let keys = ["spool_dir", "dedup_window", "alert_cache_ttl", "alert_cache_size", "external_url", "endpoints"]

    public init(from decoder: any Decoder) throws {
        let mapping = try decoder.configurationMapping(known: Self.keys)
        self.init()
        spoolDirectory = try mapping.optional("spool_dir") ?? Self.defaultSpoolDirectory
        if spoolDirectory.isEmpty { throw mapping.invalid("spool_dir", "\"\"", expected: "a directory path") }
        dedupWindow = try mapping.duration("dedup_window", default: dedupWindow, minimum: .zero)
        alertCacheTTL = try mapping.duration("alert_cache_ttl", default: alertCacheTTL)
        alertCacheSize = try mapping.integer("alert_cache_size", default: alertCacheSize, in: 1...10_000_000)
        externalURL = try mapping.optional("external_url") ?? ""
        if !externalURL.isEmpty, WebURL(externalURL) == nil {
            throw mapping.invalid(
                "external_url",
                "(not shown: it may hold a token), which \(WebhookEndpointConfiguration.urlProblem(externalURL))",
                expected: "an http:// or https:// URL")
        }
        endpoints = try mapping.optional("endpoints") ?? []
        try checkUniqueNames(mapping)
    }

    private func checkUniqueNames(_ mapping: ConfigurationContainer) throws {
        var seen: [String: Int] = [:]
        for (index, endpoint) in endpoints.enumerated() {
            if let first = seen[endpoint.name] {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: mapping.codingPath + [
                            ConfigurationKey("endpoints"), IndexKey(index),
                            ConfigurationKey("name"),
                        ],
                        debugDescription:
                            "invalid value \"\(endpoint.name)\": expected a name no other endpoint has (endpoints[\(first)] has it)"
                    ))
            }
            seen[endpoint.name] = index
        }
    }
}

/// A list position in a key path.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// What the endpoint's body looks like.
public enum WebhookFormat: String, Sendable, Equatable, CaseIterable {
    /// The Alertmanager webhook_config JSON (version "4").
    case alertmanager
    /// PostableAlerts posted to an Alertmanager's `/api/v2/alerts`.
    case alertmanagerAPI = "alertmanager_api"
    /// The escalation and its joined alert, in the Gater's snake_case field names.
    case json
}

/// SystemAlert severities, least to most severe.
public enum AlertSeverity: String, Sendable, Equatable, CaseIterable, Comparable {
    case info, warning, error, critical

    public static func < (left: AlertSeverity, right: AlertSeverity) -> Bool {
        allCases.firstIndex(of: left) ?? 0 < allCases.firstIndex(of: right) ?? 0
    }
}

/// What an endpoint is sent (`events`): alert escalations (and the resolutions of their acks),
/// security alerts, or both.
public enum WebhookEvent: String, Sendable, Equatable, CaseIterable {
    case alertEscalated = "alert_escalated"
    case securityAlert = "security_alert"
}
