import BEAMPeers
import Foundation
import Testing

@testable import GaterMessages
@testable import WebhookForwarder

extension LoopbackTests {
    /// The spool's memos (escalations kept to resolve on acknowledgement) stay bounded by the
    /// join's capacity and TTL when nobody acknowledges: a forgotten escalation's memo is
    /// completed and compacted away, during the run and on restart.
    @Suite struct MemoTests {
        func forwarder(
            _ setup: ForwarderSetup, _ url: String, capacity: Int = 10_000, ttl: Duration = .seconds(3600)
        ) throws -> WebhookForwarder {
            var configuration = setup.configuration(
                [endpoint("hook", url) { $0.maxInFlight = 8 }], alertCacheTTL: ttl)
            configuration.alertCacheSize = capacity
            return try WebhookForwarder(
                configuration: configuration, logger: setup.log.logger(), metrics: setup.metrics,
                spoolCompactionThreshold: 16 << 10)
        }

        func fileSize(_ path: String) throws -> Int {
            try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        }

        @Test func unacknowledgedEscalationsBeyondTheCapacityLeaveNoLiveMemos() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let first = try forwarder(setup, receiver.url, capacity: 10)
            let run = running(first)
            var mostMemos = 0
            for index in 0..<300 {
                await first.receive(.alertEscalation(Gater.escalation("a\(index)")), from: "n")
                mostMemos = max(mostMemos, first.spool.memoCount)
            }
            #expect(mostMemos == 10, "one memo per escalation the join still holds")
            try await eventually("all delivered", timeout: .seconds(60)) { setup.count("hook", .delivered) == 300 }
            #expect(await first.waitUntilSpooled())
            // The 300 memos alone would keep about 170 kB live; compacted, only the 10 live memos
            // (and the completions since the last rewrite) are left.
            let size = try fileSize(first.spool.path)
            #expect(size < 40 << 10, "compacted to \(size) bytes")
            run.cancel()
            _ = await run.result

            let second = try forwarder(setup, receiver.url, capacity: 10)
            #expect(second.spool.recoveredMemos.map(\.alertID) == (290..<300).map { "a\($0)" })
            #expect(second.spool.recovered.isEmpty)
            #expect(await second.receive(.alertAcknowledgement(Gater.ack("a0")), from: "n") == .ignored)
            #expect(
                await second.receive(.alertAcknowledgement(Gater.ack("a299")), from: "n")
                    == .spooled(endpoints: ["hook"]))
            await second.spool.close()
        }

        @Test func memosPastTheTTLAreCompletedWhileNothingArrivesAndNotRestored() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let first = try forwarder(setup, receiver.url, ttl: .seconds(2))
            let run = running(first)
            for index in 0..<20 { await first.receive(.alertEscalation(Gater.escalation("a\(index)")), from: "n") }
            // All 20 unless a loaded machine took over 2 s to take them; the last one at least.
            #expect(first.spool.memoCount > 0)
            // Swept every second by the running forwarder, without any further message.
            try await eventually("the memos completed", timeout: .seconds(20)) { first.spool.memoCount == 0 }
            try await eventually("all delivered", timeout: .seconds(60)) { setup.count("hook", .delivered) == 20 }
            run.cancel()
            _ = await run.result

            let second = try forwarder(setup, receiver.url, ttl: .seconds(3600))
            #expect(second.spool.recoveredMemos.isEmpty, "completed memos are not replayed")
            #expect(await second.receive(.alertAcknowledgement(Gater.ack("a0")), from: "n") == .ignored)
            await second.spool.close()
        }

        @Test func aRestartWithASmallerCapacityCompletesTheOldestMemos() async throws {
            let setup = try ForwarderSetup()
            // Nothing is delivered (a refused port); only the memos matter here.
            let url = "http://127.0.0.1:\(ErlangTools.freePort())"
            let first = try forwarder(setup, url, capacity: 100)
            for index in 0..<30 { await first.receive(.alertEscalation(Gater.escalation("a\(index)")), from: "n") }
            #expect(first.spool.memoCount == 30)
            await first.spool.close()

            let second = try forwarder(setup, url, capacity: 10)
            #expect(second.spool.recoveredMemos.count == 30)
            #expect(second.spool.memoCount == 10, "the 20 oldest do not fit and are completed")
            await second.spool.close()

            let third = try forwarder(setup, url, capacity: 10)
            #expect(third.spool.recoveredMemos.map(\.alertID) == (20..<30).map { "a\($0)" })
            await third.spool.close()
        }
    }
}
