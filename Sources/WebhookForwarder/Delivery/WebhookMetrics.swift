import Metrics

/// How a delivery ended, or that an attempt will be repeated: the `outcome` label of
/// `exesdb_exporter_webhook_deliveries_total{endpoint,outcome}`.
///
/// Each accepted delivery ends exactly once as delivered, failed or dropped; `retried` counts
/// the attempts that failed in a way worth repeating and were scheduled again.
public enum DeliveryOutcome: String, Sendable, CaseIterable {
    /// The endpoint answered 2xx.
    case delivered
    /// An attempt failed (connection error, timeout, 408, 429, 5xx) and another is scheduled.
    case retried
    /// The endpoint refused it for good (3xx, or 4xx other than 408 and 429): not retried.
    case failed
    /// Given up: max_attempts or max_age reached, the endpoint no longer configured after a
    /// restart, or the spool could not take it.
    case dropped
}

/// The `exesdb_exporter_webhook_*` handles of one endpoint.
struct EndpointMetrics: Sendable {
    private let outcomes: [DeliveryOutcome: Counter]
    private let duration: Metrics.Timer
    private let queueLength: Gauge
    private let oldestAge: Gauge

    init(endpoint: String, factory: any MetricsFactory) {
        var outcomes: [DeliveryOutcome: Counter] = [:]
        for outcome in DeliveryOutcome.allCases {
            outcomes[outcome] = Counter(
                label: WebhookFamilies.deliveries.name,
                dimensions: [("endpoint", endpoint), ("outcome", outcome.rawValue)], factory: factory)
        }
        self.outcomes = outcomes
        duration = Metrics.Timer(
            label: WebhookFamilies.deliveryDuration.name, dimensions: [("endpoint", endpoint)],
            preferredDisplayUnit: .seconds, factory: factory)
        queueLength = Gauge(
            label: WebhookFamilies.queueLength.name, dimensions: [("endpoint", endpoint)], factory: factory)
        oldestAge = Gauge(
            label: WebhookFamilies.oldestPendingAge.name, dimensions: [("endpoint", endpoint)],
            factory: factory)
    }

    func count(_ outcome: DeliveryOutcome) { outcomes[outcome]?.increment() }

    /// One attempt, from its start to the endpoint's answer or the transport's error.
    func recordAttempt(seconds: Double) { duration.recordNanoseconds(Int64(seconds * 1e9)) }

    func recordQueue(length: Int, oldestAge age: Double) {
        queueLength.record(length)
        oldestAge.record(age)
    }
}
