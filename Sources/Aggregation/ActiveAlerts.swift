import Synchronization

/// Alerts that need an acknowledgement and have none yet, by alert id. Bounded: past `capacity`
/// the alert seen least recently is forgotten, and an alert not seen for `ttl` seconds expires,
/// as the series TTL would expire it.
///
/// Every operation costs the same whatever the number of alerts (amortized): the counts per
/// (severity, category) are kept up to date as alerts come and go, and a queue of raises in
/// arrival order finds the ones to expire or forget from its front. A flood of alerts up to the
/// capacity therefore costs time in proportion to the alerts, not to their square.
final class ActiveAlerts: Sendable {
    struct Alert: Sendable {
        var key: Key
        var seen: Double
    }

    /// How many alerts are active per (severity, category).
    typealias Counts = [Key: Int]

    struct Key: Hashable, Sendable {
        var severity: String
        var category: String
    }

    private let state = Mutex(State())
    let capacity: Int
    /// Seconds; a reload may change it (it follows `--metrics.ttl`).
    private let currentTTL: Mutex<Double>

    init(capacity: Int = 10_000, ttl: Double) {
        self.capacity = max(capacity, 1)
        currentTTL = Mutex(ttl)
    }

    var ttl: Double {
        get { currentTTL.withLock { $0 } }
        set { currentTTL.withLock { $0 = newValue } }
    }

    /// Raises or refreshes an alert; returns the counts afterwards.
    func raise(id: String, severity: String, category: String, at now: Double) -> Counts {
        let ttl = ttl
        return state.withLock { state in
            state.raise(id, Alert(key: Key(severity: severity, category: category), seen: now))
            state.expire(now: now, ttl: ttl)
            while state.alerts.count > capacity { state.forgetOldest() }
            return state.counts
        }
    }

    /// Acknowledges an alert; returns the counts afterwards.
    func acknowledge(id: String, at now: Double) -> Counts {
        let ttl = ttl
        return state.withLock { state in
            state.remove(id)
            state.expire(now: now, ttl: ttl)
            return state.counts
        }
    }

    func sweep(at now: Double) -> Counts {
        let ttl = ttl
        return state.withLock { state in
            state.expire(now: now, ttl: ttl)
            return state.counts
        }
    }
}

extension ActiveAlerts {
    /// The alerts, their counts, and every raise in arrival order. A raise the alert has since
    /// outlived (raised again, acknowledged, forgotten) stays in the queue until it reaches the
    /// front, where it is recognised by its time and skipped.
    struct State: Sendable {
        var alerts: [String: Alert] = [:]
        var counts: Counts = [:]
        private var raises: [(id: String, seen: Double)] = []
        private var front = 0

        mutating func raise(_ id: String, _ alert: Alert) {
            remove(id)
            alerts[id] = alert
            counts[alert.key, default: 0] += 1
            raises.append((id, alert.seen))
        }

        mutating func remove(_ id: String) {
            guard let alert = alerts.removeValue(forKey: id) else { return }
            let left = (counts[alert.key] ?? 1) - 1
            counts[alert.key] = left > 0 ? left : nil
        }

        /// Removes the alerts not seen for more than `ttl` seconds.
        mutating func expire(now: Double, ttl: Double) {
            while let (id, seen) = oldestLive(), now - seen > ttl {
                remove(id)
                dropFront()
            }
            compact()
        }

        /// Removes the alert raised longest ago.
        mutating func forgetOldest() {
            guard let (id, _) = oldestLive() else { return }
            remove(id)
            dropFront()
            compact()
        }

        /// The front raise once the ones the alerts have outlived are skipped.
        private mutating func oldestLive() -> (id: String, seen: Double)? {
            while front < raises.count {
                let raise = raises[front]
                if alerts[raise.id]?.seen == raise.seen { return raise }
                dropFront()
            }
            return nil
        }

        private mutating func dropFront() { front += 1 }

        /// Gives back the queue's consumed front once it is most of the queue.
        private mutating func compact() {
            guard front > 64, front * 2 > raises.count else { return }
            raises.removeFirst(front)
            front = 0
        }
    }
}
