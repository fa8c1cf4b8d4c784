import BEAMPeers
import Foundation
import Testing

extension BinaryEndToEndTests {
    /// What ExESDB 0.11 really broadcasts, signed by OTP 25 and sent through real pg: a
    /// ClusterHealth built with shifted arguments and a SystemAlert as a plain map without an id.
    /// Each gives the series of what is sound in it and no others; what is not is counted and
    /// named, and nothing is rejected.
    @Test func whatExESDBReallySendsBecomesTheSeriesOfWhatIsSoundInIt() async throws {
        let publisher = try await Publisher.realShapes()
        defer { publisher.stop() }
        let exporter = try await RunningExporter.joining(publisher)
        defer { exporter.stop() }
        let reporter = Publisher.name
        let found = try await poll(timeout: .seconds(30), every: .milliseconds(200)) { () -> [Sample]? in
            let samples = (try? await exporter.samples()) ?? []
            let both = !samples.named("exesdb_cluster_nodes").isEmpty && !samples.named("exesdb_alerts_total").isEmpty
            return both ? samples : nil
        }
        let samples = try #require(found, "the shapes were not aggregated within 30 s")
        let cluster = samples.named("exesdb_cluster_health_status").filter { $0.labels["reporter"] == reporter }
        #expect(cluster.filter { $0.value == 1 }.map { $0.labels["exesdb_cluster_health_status"] } == ["unknown"])
        let nodes = Dictionary(
            samples.named("exesdb_cluster_nodes").map { ($0.labels["state"] ?? "", $0.value) }, uniquingKeysWith: { $1 }
        )
        #expect(nodes == ["healthy": 1, "degraded": 0, "unhealthy": 0], "no total: total_nodes was an atom")
        #expect(samples.named("exesdb_cluster_quorum_available").map(\.value) == [1])
        let alerts = samples.named("exesdb_alerts_total")
        #expect(alerts.count == 1)
        #expect(alerts.first?.labels == ["node": "ex_esdb@node1", "severity": "critical", "category": "system"])
        #expect(samples.named("exesdb_alerts_active").allSatisfy { $0.value == 0 }, "an alert without an id")
        let ignored = samples.named("exesdb_exporter_payload_fields_ignored_total")
        #expect(
            Set(ignored.map { $0.labels["field"] ?? "" }) == ["status", "total_nodes"]
                && ignored.allSatisfy {
                    $0.labels["bus"] == "ex_esdb_health" && $0.labels["type"] == "cluster_health_updated"
                        && $0.value >= 1
                })
        #expect(samples.named("exesdb_exporter_messages_rejected_total").allSatisfy { $0.value == 0 })
        let logged = exporter.lines.filter { $0.contains("took a message without a field") }
        #expect(logged.contains { $0.contains("field=status") && $0.contains("found=list") })
        #expect(logged.contains { $0.contains("field=total_nodes") && $0.contains("found=atom") })
    }
}
