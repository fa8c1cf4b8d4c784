import BEAMPeers
import ErlangTerm
import Logging
import MetricsTestKit
import Testing

@testable import GaterMessages

/// The ExESDBGater policy without a SECRET_KEY_BASE, through the intake: signed messages cannot be
/// checked, so each is rejected and counted as `unverifiable`; unsigned ones are accepted; the
/// operator is warned once that no secret is set, however many messages come.
@Suite struct SecretPolicyTests {
    /// Every fixture broadcast, three times over, into an intake without a secret.
    @Test func withoutASecretSignedMessagesAreCountedUnverifiableAndUnsignedOnesAccepted() async throws {
        let log = LogRecorder()
        let metrics = TestMetrics()
        let intake = MessageIntake(secret: nil, logger: log.logger(), metrics: metrics)
        let broadcasts = try await GaterMessagesTests.broadcasts.value
        var (signed, accepted) = (0, 0)
        for _ in 0..<3 {
            for (_, bytes) in broadcasts.sorted(by: { $0.key < $1.key }) {
                let view = try TermView(parsing: bytes)
                let envelope = try #require(view.element(2, of: view.root))
                if let tag = view.element(0, of: envelope), view.isAtom(tag, "secure_message") { signed += 1 }
                if intake.receive(
                    peer: "ex_esdb@host-1", bus: "ex_esdb_alerts", topic: "t", view: view, message: envelope)
                    != nil
                {
                    accepted += 1
                }
            }
        }
        let rejected = { (reason: String) in
            try metrics.expectCounter(
                "exesdb_exporter_messages_rejected_total", [("bus", "ex_esdb_alerts"), ("reason", reason)]
            ).totalValue
        }
        #expect(
            signed == 3 * (broadcasts.count - 4), "all but `unsigned`, `not_envelope` and the two log events are signed"
        )
        #expect(try rejected("unverifiable") == Int64(signed))
        #expect(try rejected("malformed") == 3)
        #expect(try rejected("bad_signature") == 0 && rejected("unsigned") == 0)
        #expect(accepted == 9, "the unsigned latency metric and ExESDB's two bare log events, each time")
        let latency = try metrics.expectCounter(
            "exesdb_exporter_messages_total", [("bus", "ex_esdb_alerts"), ("type", "latency_metric")])
        #expect(latency.totalValue == 3)
        // One warning that no secret is set, one for the first unverifiable message; the rest at debug.
        #expect(log.lines(level: .warning, containing: "no SECRET_KEY_BASE configured").count == 1)
        #expect(log.lines(level: .warning, containing: "reason=unverifiable").count == 1)
        #expect(log.lines(level: .debug, containing: "reason=unverifiable").count == signed - 1)
    }

    @Test func withASecretNoSecretWarningIsLogged() async throws {
        let log = LogRecorder()
        let intake = MessageIntake(secret: SecretKeyBase(GaterMessagesTests.secret), logger: log.logger())
        for (_, bytes) in try await GaterMessagesTests.broadcasts.value {
            let view = try TermView(parsing: bytes)
            _ = intake.receive(
                peer: "p@h", bus: "b", topic: "t", view: view, message: try #require(view.element(2, of: view.root)))
        }
        #expect(log.lines(level: .warning, containing: "SECRET_KEY_BASE configured").isEmpty)
        #expect(!log.lines(level: .warning, containing: "").contains { $0.contains(GaterMessagesTests.secret) })
    }
}
