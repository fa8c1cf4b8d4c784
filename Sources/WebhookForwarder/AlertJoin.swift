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
final class AlertJoin: Sendable {
    private let state: NIOLockedValueBox<State>

    private struct State {
        var alerts: ExpiringMap<SystemAlert>
        var escalated: ExpiringMap<[EscalationRecord]>
        var recent: ExpiringMap<Bool>
    }

    init(ttl: Duration, capacity: Int, dedupWindow: Duration) {
        state = NIOLockedValueBox(
            State(
                alerts: ExpiringMap(ttl: ttl, capacity: capacity), escalated: ExpiringMap(ttl: ttl, capacity: capacity),
                recent: ExpiringMap(ttl: dedupWindow, capacity: capacity)))
    }

    func remember(_ alert: SystemAlert, now: Double) {
        state.withLockedValue { $0.alerts.set(alert.alertID, alert, now: now) }
    }

    func alert(_ id: String, now: Double) -> SystemAlert? {
        state.withLockedValue { $0.alerts.get(id, now: now) }
    }

    /// True the first time an (alert, level) is seen within the window; false for a repeat.
    func isFirst(_ escalation: AlertEscalation, now: Double) -> Bool {
        let key = "\(escalation.alertID)\u{0}\(escalation.toLevel)"
        return state.withLockedValue { state in
            guard state.recent.get(key, now: now) == nil else { return false }
            state.recent.set(key, true, now: now)
            return true
        }
    }

    /// Forgets a repeat check, for an escalation that could not be taken after all.
    func forget(_ escalation: AlertEscalation) {
        state.withLockedValue { _ = $0.recent.remove("\(escalation.alertID)\u{0}\(escalation.toLevel)") }
    }

    func recordEscalated(_ records: [EscalationRecord], now: Double) {
        state.withLockedValue { state in
            for record in records {
                let id = record.joined.escalation.alertID
                state.escalated.set(id, (state.escalated.get(id, now: now) ?? []) + [record], now: now)
            }
        }
    }

    /// The escalations sent for an alert, forgotten here: an acknowledgement resolves them once.
    func takeEscalated(_ id: String, now: Double) -> [EscalationRecord] {
        state.withLockedValue { state in
            defer { _ = state.escalated.remove(id) }
            return state.escalated.get(id, now: now) ?? []
        }
    }

    /// Rebuilds the escalations to resolve from the spool's memos; returns the ids of memos
    /// that are too old to keep or cannot be read.
    func restore(_ memos: [SpoolMemo], now: Double) -> [UInt64] {
        var stale: [UInt64] = []
        let decoder = JSONDecoder()
        state.withLockedValue { state in
            for memo in memos {
                guard now - memo.createdAt < state.escalated.ttl,
                    var record = try? decoder.decode(EscalationRecord.self, from: Data(memo.payload))
                else {
                    stale.append(memo.id)
                    continue
                }
                record.memoID = memo.id
                let id = record.joined.escalation.alertID
                state.escalated.set(id, (state.escalated.get(id, now: now) ?? []) + [record], now: memo.createdAt)
            }
        }
        return stale
    }
}

/// A dictionary whose entries expire `ttl` after they were set, and whose oldest entries go
/// first when it is full.
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

    mutating func set(_ key: String, _ value: Value, now: Double) {
        generation += 1
        entries[key] = (value, now, generation)
        arrivals.append((key, generation))
        evict(now: now)
    }

    func get(_ key: String, now: Double) -> Value? {
        guard let entry = entries[key], now - entry.setAt < ttl else { return nil }
        return entry.value
    }

    mutating func remove(_ key: String) -> Value? {
        entries.removeValue(forKey: key)?.value
    }

    private mutating func evict(now: Double) {
        while head < arrivals.count {
            let (key, generation) = arrivals[head]
            guard let entry = entries[key], entry.generation == generation else {
                head += 1
                continue
            }
            guard entries.count > capacity || now - entry.setAt >= ttl else { break }
            entries.removeValue(forKey: key)
            head += 1
        }
        if head > 1024, head * 2 > arrivals.count {
            arrivals.removeFirst(head)
            head = 0
        }
    }
}
