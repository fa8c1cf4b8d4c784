import BEAMPeers
import Crypto
import Foundation
import Logging
import MetricsTestKit
import Synchronization
import Testing

@testable import GaterMessages
@testable import WebhookForwarder

/// The suites that talk over loopback (a receiver, Alertmanager, harness processes) run one test
/// at a time, so that they do not crowd the machine the other modules' timing tests share.
@Suite(.serialized) enum LoopbackTests {}

/// Gater messages as the subscription delivers them.
enum Gater {
    static func alert(
        _ id: String = "alert-1", severity: String = "critical", category: String = "network",
        node: String = "ex_esdb@host-1", timestamp: Double? = 1_700_000_000.25
    ) -> SystemAlert {
        SystemAlert(
            alertID: id, severity: severity, category: category, title: "Node down",
            description: "ex_esdb@host-3 unreachable", source: "cluster_monitor", node: node,
            requiresAcknowledgement: true, timestamp: timestamp)
    }

    static func escalation(
        _ id: String = "alert-1", from: String = "level1", to: String = "level2",
        timestamp: Double? = 1_700_000_300.5
    ) -> AlertEscalation {
        AlertEscalation(
            alertID: id, fromLevel: from, toLevel: to, reason: "no ack in 5m", escalatedBy: "escalation_manager",
            notifyContacts: ["ops@example.com", "sre@example.com"], timestamp: timestamp)
    }

    static func ack(_ id: String = "alert-1", timestamp: Double? = 1_700_000_600.75) -> AlertAcknowledgement {
        AlertAcknowledgement(
            alertID: id, acknowledgedBy: "oncall", note: "looking", resolution: nil, timestamp: timestamp)
    }
}

/// A temporary directory with secret files, a spool directory, and forwarders started in it.
struct ForwarderSetup {
    let directory: String
    let metrics = TestMetrics()
    let log = LogRecorder()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("exesdb-wh-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    var spool: String { "\(directory)/spool" }

    /// Writes a secret file (0600) and returns its path.
    func secret(_ name: String, _ value: String) throws -> String {
        let path = "\(directory)/\(name)"
        try (value + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return path
    }

    func configuration(
        _ endpoints: [WebhookEndpointConfiguration], dedupWindow: Duration = .seconds(300),
        alertCacheTTL: Duration = .seconds(3600)
    ) -> WebhookConfiguration {
        WebhookConfiguration(
            spoolDirectory: spool, endpoints: endpoints, dedupWindow: dedupWindow, alertCacheTTL: alertCacheTTL,
            externalURL: "http://exporter.test:9571")
    }

    func forwarder(
        _ endpoints: [WebhookEndpointConfiguration], dedupWindow: Duration = .seconds(300),
        alertCacheTTL: Duration = .seconds(3600)
    ) throws -> WebhookForwarder {
        try WebhookForwarder(
            configuration: configuration(endpoints, dedupWindow: dedupWindow, alertCacheTTL: alertCacheTTL),
            logger: log.logger(), metrics: metrics)
    }

    func count(_ endpoint: String, _ outcome: DeliveryOutcome) -> Int64 {
        let counter = try? metrics.expectCounter(
            "exesdb_exporter_webhook_deliveries_total", [("endpoint", endpoint), ("outcome", outcome.rawValue)])
        return counter?.totalValue ?? 0
    }
}

/// An endpoint with fast retries for tests. The timeout is the default (10 s), not shorter: on
/// a starved CI machine an answered attempt could time out and be sent again, which would break
/// the exact counts and orders the tests check.
func endpoint(
    _ name: String, _ url: String, format: WebhookFormat = .json,
    configure: (inout WebhookEndpointConfiguration) -> Void = { _ in }
) -> WebhookEndpointConfiguration {
    var endpoint = WebhookEndpointConfiguration(name: name, url: url, format: format)
    endpoint.minBackoff = .milliseconds(50)
    endpoint.maxBackoff = .milliseconds(400)
    configure(&endpoint)
    return endpoint
}

/// Runs `forwarder` until the returned task is cancelled.
func running(_ forwarder: WebhookForwarder) -> Task<Void, any Error> {
    Task { try await forwarder.run() }
}

/// Polls `condition` every 20 ms until it holds; fails when it does not hold at a last look after
/// `timeout` (15 s here: what the forwarder does takes milliseconds, and retries are fast).
func eventually(
    _ what: String, timeout: Duration = .seconds(15), _ condition: () async throws -> Bool
) async throws {
    try await BEAMPeers.eventually(what, timeout: timeout, condition)
}

/// The HMAC a receiver computes to check `X-ExESDB-Signature`.
func expectedSignature(_ request: WebhookReceiver.Request, secret: String) -> String? {
    guard let timestamp = request.header(RequestSigning.timestampHeader) else { return nil }
    let mac = HMAC<SHA256>.authenticationCode(
        for: Array("\(timestamp).".utf8) + request.body, using: SymmetricKey(data: Array(secret.utf8)))
    return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
}
