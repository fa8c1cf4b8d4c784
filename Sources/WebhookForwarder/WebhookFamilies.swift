import MetricDeclarations

/// The families this module emits (through swift-metrics), in the catalogue (docs/metrics.md).
public enum WebhookFamilies {
    public static let deliveries = FamilyDescriptor.counter(
        "exesdb_exporter_webhook_deliveries_total", help: "Webhook deliveries by outcome.",
        labels: ["endpoint", "outcome"], expires: false)
    public static let deliveryDuration = FamilyDescriptor.histogram(
        "exesdb_exporter_webhook_delivery_duration_seconds", help: "Webhook request durations.",
        labels: ["endpoint"], expires: false)
    public static let queueLength = FamilyDescriptor.gauge(
        "exesdb_exporter_webhook_queue_length", help: "Pending webhook deliveries, spooled ones included.",
        labels: ["endpoint"], expires: false)
    public static let oldestPendingAge = FamilyDescriptor.gauge(
        "exesdb_exporter_webhook_oldest_pending_age_seconds", help: "Age of the oldest pending webhook delivery.",
        labels: ["endpoint"], unit: "seconds", expires: false)
    public static let spoolCorruptRecords = FamilyDescriptor.counter(
        "exesdb_exporter_webhook_spool_corrupt_records_total",
        help: "Damaged webhook spool records skipped when the spool was opened (their bytes are kept beside it).",
        expires: false)
    public static let spoolWriteFailures = FamilyDescriptor.counter(
        "exesdb_exporter_webhook_spool_write_failures_total",
        help:
            "Failed webhook spool writes (a full disk, an I/O error): until one succeeds, new deliveries are in memory only.",
        expires: false)

    public static let all = [
        deliveries, deliveryDuration, queueLength, oldestPendingAge, spoolCorruptRecords, spoolWriteFailures,
    ]
}
