import MetricDeclarations

/// The families this module emits (through swift-metrics), in the catalogue (docs/metrics.md).
public enum ClusterFamilies {
    public static let up = FamilyDescriptor.gauge(
        "exesdb_up", help: "1 while at least one ExESDB node is connected and subscribed.", expires: false)
    public static let peerUp = FamilyDescriptor.gauge(
        "exesdb_exporter_peer_up", help: "1 when the node is connected and subscribed.", labels: ["peer"],
        expires: false)
    public static let peerDepartures = FamilyDescriptor.counter(
        "exesdb_exporter_peer_departures_total",
        help: "Discovered nodes no longer followed after failing to connect (their per-node series are removed).",
        expires: false)

    public static let all = [up, peerUp, peerDepartures]
}
