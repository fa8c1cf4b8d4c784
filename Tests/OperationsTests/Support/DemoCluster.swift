import BEAMPeers
import Foundation

/// The demo ExESDB cluster of demo/ (three `erl` nodes, the fast traffic profile) on a private
/// EPMD, started the way scripts/demo.sh starts it: the secret in the environment, not on a
/// command line.
final class DemoCluster: Sendable {
    static let names = ["ex_esdb1@localhost", "ex_esdb2@localhost", "ex_esdb3@localhost"]
    static let fixtures = Task<ErlangFixtures, any Error> {
        try await ErlangFixtures(shared: [.gaterWire], sourceDirectories: [Repository.path("demo")])
    }

    let cluster: ErlangCluster
    let secret = "demo-secret-\(UUID().uuidString)"
    let nodes: [BackgroundProcess]

    init() async throws {
        let cookie = "demo-cookie-\(UInt64.random(in: 0...UInt64.max))"
        cluster = try await ErlangCluster(fixtures: try await Self.fixtures.value, cookie: cookie)
        let list = "[" + Self.names.joined(separator: ", ") + "]"
        var nodes: [BackgroundProcess] = []
        for (index, name) in Self.names.enumerated() {
            // In turns with the other BEAMs starting (`StartupSlots`); each says `ready` at once,
            // without waiting for the others.
            let node = try await StartupSlots.beams.withSlot { [cluster, secret] in
                let node = try BackgroundProcess(
                    "erl",
                    [
                        "-sname", name, "-setcookie", cookie, "-noshell", "-pa", cluster.fixtures.beamDirectory,
                        "-eval", "exesdb_demo:start(#{index => \(index), nodes => \(list), profile => fast})",
                    ], environment: cluster.environment.merging(["SECRET_KEY_BASE": secret]) { $1 })
                try await node.waitForLine(containing: "ready")
                return node
            }
            nodes.append(node)
        }
        self.nodes = nodes
    }

    /// What the exporter needs to join: EPMD's port, the cookie and the secret.
    var exporterEnvironment: [String: String] {
        cluster.environment.merging(["ERLANG_COOKIE": cluster.cookie, "SECRET_KEY_BASE": secret]) { $1 }
    }

    /// The built exporter joined to the first node (it discovers the others), following all nine buses.
    func startExporter(_ arguments: [String]) throws -> BackgroundProcess {
        try BackgroundProcess(
            Repository.exporterBinary, ["--erlang.nodes=\(Self.names[0])", "--pubsub.all-buses"] + arguments,
            environment: exporterEnvironment)
    }

    /// Kills the nodes without waiting for their ends (a `defer` cannot wait).
    func stop() {
        for node in nodes { node.stopNow() }
    }
}

/// The 36 structs of the nine buses, as the exporter logs them (`type=` of each message at debug level).
let gaterMessageKinds = [
    "performance_metric", "throughput_metric", "latency_metric", "resource_usage", "metric_alert",
    "node_health_updated", "cluster_health_updated", "component_health_updated", "health_check_completed",
    "system_alert", "alert_acknowledged", "alert_escalated", "notification_status",
    "system_lifecycle_event", "system_config_changed", "feature_toggle_changed", "node_lifecycle_event",
    "process_lifecycle_event", "supervision_event", "cluster_membership_changed", "data_change", "admin_action",
    "access_log", "compliance_event", "debug_trace", "performance_analysis", "system_state", "error_analysis",
    "auth_event", "access_violation", "security_alert", "session_event", "log_entry", "log_summary",
    "log_filter_updated", "log_rotation",
]

/// The kinds and senders named by debug "message" log lines (`peer=<node> ... type=<kind>`).
func collectMessages(_ lines: ArraySlice<String>, kinds: inout Set<String>, peers: inout Set<String>) {
    func field(_ name: String, of line: String) -> String? {
        guard let start = line.range(of: " \(name)=")?.upperBound else { return nil }
        return String(line[start...].prefix { $0 != " " })
    }
    for line in lines {
        guard let kind = field("type", of: line) else { continue }
        kinds.insert(kind)
        if let peer = field("peer", of: line) { peers.insert(peer) }
    }
}
