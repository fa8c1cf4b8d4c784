import BEAMPeers
import ErlangTerm
import Foundation
import Testing

@testable import GaterMessages

/// ExESDBGater broadcasts signed and encoded by a real BEAM (OTP 25 from erlang-base), opened and
/// decoded here: every payload kind, both publishers' atom styles, the Gater's policy, and the
/// untidy shapes real publishers send.
@Suite struct GaterMessagesTests {
    static let secret = "s3cret-key-base"
    static let timestamp = 1_795_342_530.123

    /// name -> the forward_to_local tuple's bytes as the distribution carries them.
    static let broadcasts = Task<[String: [UInt8]], any Error> { try await load("write") }

    /// Payloads of megabytes (gater_fixture:write_hostile/2), kept apart from `broadcasts`, whose
    /// every case is mutated and truncated byte by byte.
    static let hostileBroadcasts = Task<[String: [UInt8]], any Error> { try await load("write_hostile") }

    /// The bytes of a case of either set.
    static func fixture(_ name: String) async throws -> [UInt8]? {
        if let bytes = try await broadcasts.value[name] { return bytes }
        return try await hostileBroadcasts.value[name]
    }

    private static func load(_ function: String) async throws -> [String: [UInt8]] {
        let fixtures = try await ErlangFixtures(shared: [.gaterFixture])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gater-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try await fixtures.eval("gater_fixture:\(function)(\"\(file.path)\", <<\"\(secret)\">>)")
        let bytes = Array(try Data(contentsOf: file))
        var records: [String: [UInt8]] = [:]
        var position = 0
        func take(_ count: Int) -> [UInt8] {
            defer { position += count }
            return Array(bytes[position..<(position + count)])
        }
        while position < bytes.count {
            let nameLength = take(2).reduce(0) { $0 << 8 | Int($1) }
            let name = String(decoding: take(nameLength), as: UTF8.self)
            records[name] = take(take(4).reduce(0) { $0 << 8 | Int($1) })
        }
        return records
    }

    /// Opens and decodes one broadcast the way the subscription will.
    func receive(
        _ name: String, verifier: EnvelopeVerifier = EnvelopeVerifier(secret: SecretKeyBase(secret)),
        peer: String = "ex_esdb@host-1"
    ) async throws -> Result<GaterMessage, MessageRejection> {
        let bytes = try #require(try await Self.fixture(name), "no fixture case \(name)")
        let view = try TermView(parsing: bytes)
        let envelope = try #require(view.element(2, of: view.root))
        return verifier.open(view, envelope, peer: peer).flatMap {
            GaterDecoder().decode(view, inner: $0, sender: peer)
        }
    }

    func message(_ name: String) async throws -> GaterMessage {
        switch try await receive(name) {
        case .success(let message): return message
        case .failure(let rejection):
            Issue.record("\(name) rejected as \(rejection)")
            throw rejection
        }
    }

    /// The shapes ExESDB 0.11 really sends (gater_fixture:real_shapes/0): what is sound in them
    /// is taken, the rest left out and named.
    @Test func whatExESDBReallySendsIsDecodedAsFarAsItIsSound() async throws {
        #expect(
            try await message("cluster_health_shifted")
                == .clusterHealth(
                    ClusterHealth(
                        status: nil, healthyNodes: 1, totalNodes: nil, degradedNodes: [], unhealthyNodes: [],
                        quorumStatus: "available", timestamp: Self.timestamp + 0.000_456)))
        #expect(
            try await message("system_alert_plain_map")
                == .systemAlert(
                    SystemAlert(
                        alertID: nil, severity: "critical", category: "system", title: "Node failure",
                        description: "node ex_esdb@node3 is down", source: "cluster_monitor", node: "ex_esdb@node1",
                        requiresAcknowledgement: false, timestamp: Self.timestamp + 0.000_456)))
        let shifted = try await reporting("cluster_health_shifted")
        #expect(shifted.report.ignored == ["status", "total_nodes"])
        #expect(shifted.report.shape(of: "status") == .list && shifted.report.shape(of: "total_nodes") == .atom)
        // Nothing sound at all: rejected, and the log line says which field and what it found.
        let useless = try await reporting("cluster_health_nothing_usable")
        #expect(useless.outcome == .failure(.malformed))
        #expect(useless.detail == "field=status found=map")
        #expect(try await reporting("missing_field").detail == "field=latency_ms missing")
        #expect(try await reporting("latency_metric").report.isEmpty)
    }

    func reporting(_ name: String) async throws -> PayloadDecoding {
        let bytes = try #require(try await Self.fixture(name), "no fixture case \(name)")
        let view = try TermView(parsing: bytes)
        let envelope = try #require(view.element(2, of: view.root))
        let inner = try EnvelopeVerifier(secret: SecretKeyBase(Self.secret)).open(view, envelope, peer: "p").get()
        return GaterDecoder().decodeReporting(view, inner: inner, sender: "p")
    }

    @Test func metricsPayloadsDecode() async throws {
        #expect(
            try await message("performance_metric")
                == .performance(
                    PerformanceMetric(
                        metricName: "write_queue_depth", value: 42, unit: "items", node: "ex_esdb@host-1",
                        component: "persistence",
                        numericTags: [NumericTag(name: "ratio", value: 0.5), NumericTag(name: "shard", value: 3)],
                        timestamp: Self.timestamp)))
        #expect(
            try await message("throughput_metric")
                == .throughput(
                    ThroughputMetric(
                        operation: "stream_append", count: 1200, durationMilliseconds: 1000, ratePerSecond: 1200,
                        node: "ex_esdb@host-1", timestamp: Self.timestamp)))
        #expect(
            try await message("latency_metric")
                == .latency(
                    LatencyMetric(
                        operation: "stream_read", latencyMilliseconds: 12.75, percentile: "p99", sampleCount: 1500,
                        node: "ex_esdb@host-1", timestamp: Self.timestamp)))
        #expect(
            try await message("resource_usage")
                == .resourceUsage(
                    ResourceUsage(
                        resourceType: "memory", usagePercent: 71.5, totalAvailable: 17_179_869_184,
                        currentUsed: 12_283_418_214, node: "ex_esdb@host-2", timestamp: Self.timestamp)))
        #expect(
            try await message("metric_alert")
                == .metricAlert(
                    MetricAlert(
                        metricName: "write_latency", currentValue: 250, thresholdValue: 100, thresholdType: "max",
                        severity: "critical", node: "ex_esdb@host-1", timestamp: Self.timestamp)))
    }

    @Test func healthPayloadsDecode() async throws {
        guard case .nodeHealth(let node) = try await message("node_health_updated") else {
            Issue.record("not a node health")
            return
        }
        #expect(node.node == "ex_esdb@host-2" && node.status == "degraded")
        #expect(
            Set(node.checks.map { "\($0.name)=\($0.passing)" }) == [
                "disk=true", "memory=false", "raft=true", "network=false",
            ])
        #expect(node.loadAverage == 1.25 && node.memoryUsagePercent == 71.5 && node.diskUsagePercent == 40)
        #expect(
            try await message("cluster_health_updated")
                == .clusterHealth(
                    ClusterHealth(
                        status: "degraded", healthyNodes: 2, totalNodes: 3, degradedNodes: ["ex_esdb@host-2"],
                        unhealthyNodes: [], quorumStatus: "available", timestamp: Self.timestamp)))
        #expect(
            try await message("component_health_updated")
                == .componentHealth(
                    ComponentHealth(
                        component: "store_worker", node: "ex_esdb@host-1", status: "healthy", lastCheck: nil,
                        timestamp: Self.timestamp)))
        #expect(
            try await message("health_check_completed")
                == .healthCheck(
                    HealthCheck(
                        checkName: "disk_space", node: "ex_esdb@host-3", result: "fail", durationMilliseconds: 35,
                        error: "disk 97% full", timestamp: Self.timestamp)))
    }

    @Test func alertPayloadsDecode() async throws {
        #expect(
            try await message("system_alert")
                == .systemAlert(
                    SystemAlert(
                        alertID: "alert-1", severity: "critical", category: "network", title: "Node down",
                        description: "ex_esdb@host-3 unreachable", source: "cluster_monitor", node: "ex_esdb@host-1",
                        requiresAcknowledgement: true, timestamp: Self.timestamp)))
        #expect(
            try await message("alert_acknowledged")
                == .alertAcknowledgement(
                    AlertAcknowledgement(
                        alertID: "alert-1", acknowledgedBy: "oncall", note: "looking", resolution: nil,
                        timestamp: Self.timestamp)))
        #expect(
            try await message("alert_escalated")
                == .alertEscalation(
                    AlertEscalation(
                        alertID: "alert-1", fromLevel: "level1", toLevel: "level2", reason: "no ack in 5m",
                        escalatedBy: "escalation_manager", notifyContacts: ["ops@example.com", "sre@example.com"],
                        timestamp: Self.timestamp)))
        #expect(
            try await message("notification_status")
                == .notificationStatus(
                    NotificationStatus(
                        alertID: "alert-1", deliveryMethod: "webhook", recipient: "https://hooks.example/x",
                        status: "failed", errorReason: "timeout", attempts: 3, timestamp: Self.timestamp)))
    }

    @Test func everyKindIsCovered() async throws {
        // Every struct, signed; the unsigned log_event has a test of its own (BusPayloadsTests).
        let structs = GaterMessageKind.allCases.filter { $0.module != nil }
        var kinds = Set<GaterMessageKind>()
        for kind in structs {
            kinds.insert(try await message(kind.rawValue).kind)
        }
        #expect(kinds == Set(structs))
    }

    @Test func bothPublisherAtomStylesVerifyAndAreRemembered() async throws {
        let verifier = EnvelopeVerifier(secret: SecretKeyBase(Self.secret))
        // OTP 25 publisher: legacy atoms.
        #expect(try await receive("latency_metric", verifier: verifier, peer: "old@host").isSuccess)
        #expect(verifier.rememberedStyle(of: "old@host") == .legacy)
        // OTP 26+ publisher: UTF-8 atoms, found on the second try and then remembered.
        #expect(try await receive("latency_otp26", verifier: verifier, peer: "new@host").isSuccess)
        #expect(verifier.rememberedStyle(of: "new@host") == .utf8)
        #expect(try await receive("latency_otp26", verifier: verifier, peer: "new@host").isSuccess)
    }

    @Test func gaterPolicyIsMirrored() async throws {
        let withSecret = EnvelopeVerifier(secret: SecretKeyBase(Self.secret))
        let withoutSecret = EnvelopeVerifier(secret: nil)
        let wrongSecret = EnvelopeVerifier(secret: SecretKeyBase("another"))
        #expect(try await receive("tampered", verifier: withSecret).rejection == .badSignature)
        #expect(try await receive("latency_metric", verifier: wrongSecret).rejection == .badSignature)
        #expect(try await receive("unsigned", verifier: withSecret).rejection == .unsigned)
        #expect(try await receive("latency_metric", verifier: withoutSecret).rejection == .unverifiable)
        #expect(try await receive("unsigned", verifier: withoutSecret).isSuccess)
        #expect(try await receive("not_envelope").rejection == .malformed)
    }

    @Test func untidyPublishersAreDecodedTolerantly() async throws {
        guard case .latency(let plain) = try await message("latency_plain_map"),
            case .latency(let byShape) = try await message("plain_map_unknown_tag"),
            case .latency(let mismatched) = try await message("latency_tag_mismatch"),
            case .latency(let loose) = try await message("latency_wrong_number_types"),
            case .throughput(let listCount) = try await message("throughput_list_count"),
            case .systemAlert(let alert) = try await message("alert_loose_strings")
        else {
            Issue.record("an untidy payload decoded to the wrong kind")
            return
        }
        #expect(plain.latencyMilliseconds == 12.75 && byShape.percentile == "p99")
        #expect(mismatched.operation == "stream_read")
        #expect(loose.latencyMilliseconds == 7 && loose.sampleCount == 10)
        #expect(listCount.count == 3)
        #expect(alert.alertID == "a-atom" && alert.title == "charlist title")
    }

    @Test func undecodablePayloadsAreRejectedNotFatal() async throws {
        #expect(try await receive("unknown_tag").rejection == .unknownType)
        #expect(try await receive("not_a_map").rejection == .malformed)
        #expect(try await receive("missing_field").rejection == .malformed)
    }

    @Test func secretIsNeverPrinted() {
        let secret = SecretKeyBase("very-secret")
        #expect("\(secret)" == "<secret_key_base redacted>")
        #expect(String(reflecting: secret) == "<secret_key_base redacted>")
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }

    var rejection: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
