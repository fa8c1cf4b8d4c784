import Foundation
import Synchronization
import Testing

@testable import GaterMessages
@testable import WebhookForwarder

/// The join's bounds: SystemAlerts and escalations expire after the TTL and the oldest go first
/// when it is full; whatever escalation it forgets hands its spool memo back.
@Suite struct AlertJoinTests {
    /// Memo ids the join released, in order.
    final class Released: Sendable {
        private let ids = Mutex<[UInt64]>([])
        var all: [UInt64] { ids.withLock { $0 } }
        func add(_ more: [UInt64]) { ids.withLock { $0 += more } }
    }

    func join(ttl: Duration = .seconds(10), capacity: Int = 3) -> (AlertJoin, Released) {
        let released = Released()
        let join = AlertJoin(ttl: ttl, capacity: capacity, dedupWindow: .seconds(5)) { released.add($0) }
        return (join, released)
    }

    func record(_ alert: String, memo: UInt64) -> EscalationRecord {
        EscalationRecord(
            memoID: memo, endpoints: ["hook"],
            joined: JoinedEscalation(escalation: Gater.escalation(alert), alert: nil, node: "n", startsAt: 1000))
    }

    func memo(_ record: EscalationRecord, createdAt: Double) throws -> SpoolMemo {
        SpoolMemo(
            id: record.memoID, alertID: record.joined.escalation.alertID, createdAt: createdAt,
            payload: Array(try JSONEncoder().encode(record)))
    }

    @Test func aSystemAlertExpiresAfterTheTTL() {
        let (join, _) = join()
        join.remember(Gater.alert("a"), now: 1000)
        #expect(join.alert("a", now: 1009.9)?.title == "Node down")
        #expect(join.alert("a", now: 1010) == nil)
        #expect(join.alert("a", now: 1020) == nil)
    }

    @Test func theOldestSystemAlertGoesWhenTheCacheIsFull() {
        let (join, _) = join(capacity: 3)
        for (index, id) in ["a", "b", "c", "d"].enumerated() {
            join.remember(Gater.alert(id), now: 1000 + Double(index))
        }
        #expect(join.alert("a", now: 1004) == nil, "pushed out by the fourth")
        #expect(["b", "c", "d"].allSatisfy { join.alert($0, now: 1004) != nil })
        // Remembered again, an alert is the newest: the next one pushes out "c", not it.
        join.remember(Gater.alert("b"), now: 1005)
        join.remember(Gater.alert("e"), now: 1006)
        #expect(join.alert("c", now: 1006) == nil)
        #expect(["b", "d", "e"].allSatisfy { join.alert($0, now: 1006) != nil })
    }

    @Test func escalationsPushedOutForCapacityReleaseTheirMemos() {
        let (join, released) = join(capacity: 3)
        for index in 0..<5 { join.recordEscalated([record("a\(index)", memo: UInt64(index + 1))], now: 1000) }
        #expect(released.all == [1, 2])
        #expect(join.escalatedCount == 3)
        #expect(join.takeEscalated("a0", now: 1001).isEmpty)
        #expect(join.takeEscalated("a4", now: 1001).map(\.memoID) == [5], "still resolvable")
        #expect(released.all == [1, 2], "a taken escalation is resolved, not released")
    }

    @Test func escalationsPastTheTTLReleaseTheirMemosWhenSweptOrAcknowledged() {
        let (join, released) = join(ttl: .seconds(10), capacity: 100)
        join.recordEscalated([record("a", memo: 1)], now: 1000)
        join.recordEscalated([record("b", memo: 2)], now: 1005)
        join.expire(now: 1009)
        #expect(released.all.isEmpty)
        join.expire(now: 1010)
        #expect(released.all == [1])
        // An acknowledgement after the TTL, before the sweep: nothing to resolve, the memo goes.
        #expect(join.takeEscalated("b", now: 1016).isEmpty)
        #expect(released.all == [1, 2])
        #expect(join.escalatedCount == 0)
    }

    @Test func restoreReleasesMemosTooOldUnreadableOrBeyondTheCapacity() throws {
        let (join, released) = join(ttl: .seconds(100), capacity: 2)
        let memos = [
            try memo(record("old", memo: 1), createdAt: 800),
            SpoolMemo(id: 2, alertID: "garbage", createdAt: 990, payload: Array("not json".utf8)),
            try memo(record("a", memo: 3), createdAt: 991),
            try memo(record("b", memo: 4), createdAt: 992),
            try memo(record("c", memo: 5), createdAt: 993),
        ]
        join.restore(memos, now: 1000)
        #expect(released.all.sorted() == [1, 2, 3], "too old, unreadable, and the oldest beyond capacity 2")
        #expect(join.takeEscalated("a", now: 1000).isEmpty)
        #expect(join.takeEscalated("c", now: 1000).map(\.memoID) == [5])
        // Restored with their own times: "b" expires 100 s after it was escalated, not after the restart.
        join.expire(now: 1092)
        #expect(released.all.sorted() == [1, 2, 3, 4])
    }

    @Test func repeatsWithinTheWindowAreRecognisedAndForgotten() {
        let (join, _) = join()
        let escalation = Gater.escalation("a")
        #expect(join.isFirst(escalation, now: 1000))
        #expect(!join.isFirst(escalation, now: 1004.9))
        #expect(join.isFirst(escalation, now: 1005), "the window (5 s) is over")
        join.forget(escalation)
        #expect(join.isFirst(escalation, now: 1005.1))
    }
}
