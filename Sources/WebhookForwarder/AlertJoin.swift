import Foundation
import GaterMessages
import NIOConcurrencyHelpers

/// What the forwarder remembers between messages, bounded in size and time: SystemAlerts to
/// join with their escalations, the escalations each endpoint was sent (to resolve them on
/// acknowledgement), and the escalations seen recently (to send repeated ones once).
final class AlertJoin: Sendable {
    private let state: NIOLockedValueBox<State>

    struct Escalated: Sendable, Equatable {
        let endpoint: String
        let joined: JoinedEscalation
    }

    private struct State {
        var alerts: ExpiringMap<SystemAlert>
        var escalated: ExpiringMap<[Escalated]>
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

    func recordEscalated(_ records: [Escalated], now: Double) {
        guard let id = records.first?.joined.escalation.alertID else { return }
        state.withLockedValue { state in
            state.escalated.set(id, (state.escalated.get(id, now: now) ?? []) + records, now: now)
        }
    }

    /// The escalations sent for an alert, forgotten here: an acknowledgement resolves them once.
    func takeEscalated(_ id: String) -> [Escalated] {
        state.withLockedValue { $0.escalated.remove(id) ?? [] }
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
