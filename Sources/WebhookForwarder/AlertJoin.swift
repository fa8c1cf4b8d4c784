import Foundation
import GaterMessages
import NIOConcurrencyHelpers

/// An escalation that went to some endpoints and is resolved there when acknowledged. Kept in
/// the spool as a memo (`memoID`) so that it can still be resolved after a restart.
struct EscalationRecord: Sendable, Equatable, Codable {
    var memoID: UInt64 = 0
    let endpoints: [String]
    let joined: JoinedEscalation

    enum CodingKeys: String, CodingKey { case endpoints, joined }
}

/// What the forwarder remembers between messages, bounded in size and time: SystemAlerts to
/// join with their escalations, the escalations sent (to resolve them on acknowledgement), and
/// the escalations seen recently (to send repeated ones once).
///
/// An escalation forgotten here (past the TTL, or pushed out by newer ones when full) can no
/// longer be resolved, so its spool memo is handed to `releaseMemos` at once: the spool then
/// completes it and compaction reclaims it, instead of keeping it live for ever.
final class AlertJoin: Sendable {
    private let state: NIOLockedValueBox<State>
    private let releaseMemos: @Sendable ([UInt64]) -> Void

    private struct State {
        var alerts: ExpiringMap<SystemAlert>
        var escalated: ExpiringMap<[EscalationRecord]>
        var recent: ExpiringMap<Bool>
    }

    init(
        ttl: Duration, capacity: Int, dedupWindow: Duration,
        releaseMemos: @escaping @Sendable ([UInt64]) -> Void = { _ in }
    ) {
        state = NIOLockedValueBox(
            State(
                alerts: ExpiringMap(ttl: ttl, capacity: capacity), escalated: ExpiringMap(ttl: ttl, capacity: capacity),
                recent: ExpiringMap(ttl: dedupWindow, capacity: capacity)))
        self.releaseMemos = releaseMemos
    }

    /// An alert built without an id (ExESDB builds some so) cannot be joined: not kept.
    func remember(_ alert: SystemAlert, now: Double) {
        guard let id = alert.alertID else { return }
        state.withLockedValue { _ = $0.alerts.set(id, alert, now: now) }
    }

    func alert(_ id: String, now: Double) -> SystemAlert? {
        state.withLockedValue { $0.alerts.get(id, now: now) }
    }

    /// True the first time an (alert, level) is seen within the window; false for a repeat.
    func isFirst(_ escalation: AlertEscalation, now: Double) -> Bool {
        let key = "\(escalation.alertID)\u{0}\(escalation.toLevel)"
        return state.withLockedValue { state in
            guard state.recent.get(key, now: now) == nil else { return false }
            _ = state.recent.set(key, true, now: now)
            return true
        }
    }

    /// Forgets a repeat check, for an escalation that could not be taken after all.
    func forget(_ escalation: AlertEscalation) {
        state.withLockedValue { _ = $0.recent.remove("\(escalation.alertID)\u{0}\(escalation.toLevel)") }
    }

    func recordEscalated(_ records: [EscalationRecord], now: Double) {
        let evicted = state.withLockedValue { state in
            records.flatMap { record in
                let id = record.joined.escalation.alertID
                return state.escalated.set(id, (state.escalated.get(id, now: now) ?? []) + [record], now: now)
            }
        }
        release(evicted)
    }

    /// The escalations sent for an alert, forgotten here: an acknowledgement resolves them once.
    /// None once they are older than the TTL (their memos are released then).
    func takeEscalated(_ id: String, now: Double) -> [EscalationRecord] {
        let (taken, ttl) = state.withLockedValue { ($0.escalated.remove(id), $0.escalated.ttl) }
        guard let taken else { return [] }
        guard now - taken.setAt >= ttl else { return taken.value }
        release([taken.value])
        return []
    }

    /// Forgets what is older than the TTL, releasing the memos of those escalations; the
    /// forwarder calls it every second, so that they go even when nothing else arrives.
    func expire(now: Double) {
        let evicted = state.withLockedValue { state in
            _ = state.alerts.expire(now: now)
            _ = state.recent.expire(now: now)
            return state.escalated.expire(now: now)
        }
        release(evicted)
    }

    /// Rebuilds the escalations to resolve from the spool's memos; the memos that are too old
    /// to keep, cannot be read, or do not fit in the capacity (the oldest go) are released.
    func restore(_ memos: [SpoolMemo], now: Double) {
        var stale: [UInt64] = []
        let decoder = JSONDecoder()
        let evicted = state.withLockedValue { state in
            var evicted: [[EscalationRecord]] = []
            for memo in memos {
                guard now - memo.createdAt < state.escalated.ttl,
                    var record = try? decoder.decode(EscalationRecord.self, from: Data(memo.payload))
                else {
                    stale.append(memo.id)
                    continue
                }
                record.memoID = memo.id
                let id = record.joined.escalation.alertID
                evicted += state.escalated.set(
                    id, (state.escalated.get(id, now: now) ?? []) + [record], now: memo.createdAt)
            }
            return evicted + state.escalated.expire(now: now)
        }
        releaseMemos(stale)
        release(evicted)
    }

    /// The number of alerts with escalations to resolve (expired ones not yet swept included).
    var escalatedCount: Int { state.withLockedValue { $0.escalated.count } }

    private func release(_ evicted: [[EscalationRecord]]) {
        let ids = evicted.joined().map(\.memoID).filter { $0 != 0 }
        if !ids.isEmpty { releaseMemos(ids) }
    }
}

/// A dictionary whose entries expire `ttl` after they were set, and whose oldest entries go
/// first when it is full. The values it lets go are returned, for callers that hold resources
/// for them.
struct ExpiringMap<Value: Sendable>: Sendable {
    let ttl: Double
    let capacity: Int
    private var entries: [String: (value: Value, setAt: Double, generation: Int)] = [:]
    private var arrivals: [(key: String, generation: Int)] = []
    private var head = 0
    private var generation = 0

    init(ttl: Duration, capacity: Int) {
        self.ttl = Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18
        self.capacity = capacity
    }

    var count: Int { entries.count }

    /// Sets `key` (replacing its value) and returns the values evicted to make room or expired.
    mutating func set(_ key: String, _ value: Value, now: Double) -> [Value] {
        generation += 1
        entries[key] = (value, now, generation)
        arrivals.append((key, generation))
        return evict(now: now)
    }

    func get(_ key: String, now: Double) -> Value? {
        guard let entry = entries[key], now - entry.setAt < ttl else { return nil }
        return entry.value
    }

    /// Removes `key`, whether or not it expired; returns its value and when it was set.
    mutating func remove(_ key: String) -> (value: Value, setAt: Double)? {
        entries.removeValue(forKey: key).map { ($0.value, $0.setAt) }
    }

    /// Removes and returns the values past the TTL.
    mutating func expire(now: Double) -> [Value] { evict(now: now) }

    private mutating func evict(now: Double) -> [Value] {
        var evicted: [Value] = []
        while head < arrivals.count {
            let (key, generation) = arrivals[head]
            guard let entry = entries[key], entry.generation == generation else {
                head += 1
                continue
            }
            guard entries.count > capacity || now - entry.setAt >= ttl else { break }
            entries.removeValue(forKey: key)
            evicted.append(entry.value)
            head += 1
        }
        if head > 1024, head * 2 > arrivals.count {
            arrivals.removeFirst(head)
            head = 0
        }
        return evicted
    }
}
