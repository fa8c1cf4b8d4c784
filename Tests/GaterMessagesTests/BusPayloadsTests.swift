import BEAMPeers
import ErlangTerm
import Foundation
import Testing

@testable import GaterMessages

/// The structs of the system, lifecycle, audit, diagnostics, security and logging buses, signed
/// and encoded by a real BEAM (gater_fixture:bus_payloads/0): each decodes to exact values, and
/// so does each as a plain map, under an unknown tag, and under another kind's tag.
@Suite struct BusPayloadsTests {
    static let sender = "ex_esdb@sender"
    let paths = GaterMessagesTests()

    func decoded(_ name: String) async throws -> Result<GaterMessage, MessageRejection> {
        try await paths.receive(name, peer: Self.sender)
    }

    @Test func everyStructOfTheSixBusesDecodesToItsValues() async throws {
        let expected = BusPayloadExpectations.expected(sender: Self.sender)
        let structs = GaterMessageKind.allCases.filter { $0.bus != .metrics && $0.bus != .health && $0.bus != .alerts }
        #expect(Set(expected.keys) == Set(structs.filter { $0.module != nil }), "one expectation per struct")
        for (kind, message) in expected {
            #expect(try await decoded(kind.rawValue) == .success(message), "\(kind.rawValue)")
        }
    }

    @Test func asAPlainMapByTagByShapeAndUnderAnotherTagEachDecodesAlike() async throws {
        for (kind, message) in BusPayloadExpectations.expected(sender: Self.sender) {
            for suffix in ["_plain", "_by_shape", "_mismatch"] {
                #expect(try await decoded(kind.rawValue + suffix) == .success(message), "\(kind.rawValue)\(suffix)")
            }
        }
    }

    /// ExESDB's LoggingPublisher: a bare `{log_event, Map}`, taken without a secret (twice, once per
    /// topic), refused as unsigned with one.
    @Test func theUnsignedLogEventFollowsTheGaterPolicy() async throws {
        let withoutSecret = EnvelopeVerifier(secret: nil)
        let event = LogEvent(
            component: "emitter_pool", eventType: "startup", node: Self.sender,
            timestamp: BusPayloadExpectations.timestamp + 0.000_456)
        for name in ["log_event", "log_event_store_copy"] {
            #expect(
                try await paths.receive(name, verifier: withoutSecret, peer: Self.sender) == .success(.logEvent(event)))
            #expect(try await decoded(name).rejection == .unsigned)
        }
    }

    /// What ExESDB 0.11 sends and hostile payloads: what is sound is taken, the rest left out,
    /// named and capped; nothing is a crash.
    @Test func realAndHostileShapesAreDecodedAsFarAsTheyAreSound() async throws {
        guard case .success(.processLifecycle(let store)) = try await decoded("process_store_started") else {
            Issue.record("process_store_started")
            return
        }
        #expect(store.event == "store_started" && store.process == "main_store" && store.name == nil)
        let shifted = try await paths.reporting("data_change_shifted")
        #expect(shifted.outcome.isSuccess && shifted.report.ignored == ["action"])
        #expect(shifted.report.shape(of: "action") == .map)
        guard case .success(.debugTrace(let trace)) = try await decoded("debug_trace_shifted") else {
            Issue.record("debug_trace_shifted")
            return
        }
        #expect(trace.durationMilliseconds == nil && trace.component == "emitter_pool")
        guard case .success(.authEvent(let auth)) = try await decoded("auth_unknown_enums") else {
            Issue.record("auth_unknown_enums")
            return
        }
        #expect(auth.eventType == "mfa_challenge" && auth.method == "passkey")
        guard case .success(.securityAlert(let alert)) = try await decoded("security_alert_huge") else {
            Issue.record("security_alert_huge")
            return
        }
        #expect(alert.description.utf8.count == GaterDecoder.maxDescriptionBytes)
        #expect(alert.affectedUsers == 100_000 && alert.severity == "catastrophic")
        guard case .success(.logEntry(let entry)) = try await decoded("log_entry_warning_huge_module") else {
            Issue.record("log_entry_warning_huge_module")
            return
        }
        #expect(entry.level == "warning" && entry.module?.utf8.count == 300)
        let nothing = try await paths.reporting("log_summary_nothing_usable")
        #expect(nothing.outcome == .failure(.malformed))
        #expect(nothing.detail == "field=error_rate found=binary")
    }

    @Test func aDescriptionIsCutAtACharacterBoundary() {
        #expect(GaterDecoder.capped("ab\u{e9}cd", 3) == "ab")
        #expect(GaterDecoder.capped("ab\u{e9}cd", 4) == "ab\u{e9}")
        #expect(GaterDecoder.capped("short", 1024) == "short")
    }

    /// The kinds are each in their bus, and the decoded message stays as small as before the six
    /// buses: it is copied on the metrics bus's path.
    @Test func everyBusHasItsKindsAndTheMessageStaysSmall() {
        let byBus = Dictionary(grouping: GaterMessageKind.allCases, by: \.bus).mapValues(\.count)
        #expect(
            byBus == [
                .metrics: 5, .health: 4, .alerts: 4, .system: 3, .lifecycle: 4, .audit: 4, .diagnostics: 4,
                .security: 4,
                .logging: 5,
            ])
        #expect(PayloadField.total <= 128, "FieldReport holds 128 fields")
        // The general path holds a payload's fields in two buffers that must stay on the stack
        // (withUnsafeTemporaryAllocation allocates on the heap past 1 KiB).
        let slots = max(PayloadField.lowCount, PayloadField.total - PayloadField.lowCount)
        #expect(slots * MemoryLayout<TermRef?>.stride <= 1024)
        #expect(MemoryLayout<GaterMessage>.size <= MemoryLayout<SystemAlert>.size + 1)
    }
}
