import MetricDeclarations

/// The families this module emits (through swift-metrics), in the catalogue (docs/metrics.md).
public enum MessageFamilies {
    public static let accepted = FamilyDescriptor.counter(
        "exesdb_exporter_messages_total", help: "Accepted messages.", labels: ["bus", "type"], expires: false)
    public static let rejected = FamilyDescriptor.counter(
        "exesdb_exporter_messages_rejected_total",
        help: "Rejected messages (bad_signature, unsigned, unverifiable, malformed, unknown_type).",
        labels: ["bus", "reason"], expires: false)
    public static let lastMessage = FamilyDescriptor.gauge(
        "exesdb_exporter_last_message_timestamp_seconds", help: "When the last accepted message of a bus arrived.",
        labels: ["peer", "bus"], unit: "seconds", expires: false)
    public static let fieldsIgnored = FamilyDescriptor.counter(
        "exesdb_exporter_payload_fields_ignored_total",
        help: "Fields of accepted messages that were there but could not be used (the rest of the message was).",
        labels: ["bus", "type", "field"], expires: false)

    public static let all = [accepted, rejected, lastMessage, fieldsIgnored]
}
