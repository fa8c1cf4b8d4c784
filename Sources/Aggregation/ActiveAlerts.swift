import Synchronization

/// Alerts that need an acknowledgement and have none yet, by alert id. Bounded: past `capacity`
/// the alert seen least recently is forgotten, and an alert not seen for `ttl` seconds expires,
/// as the series TTL would expire it.
final class ActiveAlerts: Sendable {
    struct Alert: Sendable {
        var severity: String
        var category: String
        var seen: Double
    }

    /// How many alerts are active per (severity, category).
    typealias Counts = [Key: Int]

    struct Key: Hashable, Sendable {
        var severity: String
        var category: String
    }

    private let state = Mutex<[String: Alert]>([:])
    let capacity: Int
    /// Seconds; a reload may change it (it follows `--metrics.ttl`).
    private let currentTTL: Mutex<Double>

    init(capacity: Int = 10_000, ttl: Double) {
        self.capacity = capacity
        currentTTL = Mutex(ttl)
    }

    var ttl: Double {
        get { currentTTL.withLock { $0 } }
        set { currentTTL.withLock { $0 = newValue } }
    }

    /// Raises or refreshes an alert; returns the counts afterwards.
    func raise(id: String, severity: String, category: String, at now: Double) -> Counts {
        let ttl = ttl
        return state.withLock { alerts in
            alerts[id] = Alert(severity: severity, category: category, seen: now)
            expire(&alerts, now: now, ttl: ttl)
            if alerts.count > capacity, let oldest = alerts.min(by: { $0.value.seen < $1.value.seen })?.key {
                alerts[oldest] = nil
            }
            return counts(alerts)
        }
    }

    /// Acknowledges an alert; returns the counts afterwards.
    func acknowledge(id: String, at now: Double) -> Counts {
        let ttl = ttl
        return state.withLock { alerts in
            alerts[id] = nil
            expire(&alerts, now: now, ttl: ttl)
            return counts(alerts)
        }
    }

    func sweep(at now: Double) -> Counts {
        let ttl = ttl
        return state.withLock { alerts in
            expire(&alerts, now: now, ttl: ttl)
            return counts(alerts)
        }
    }

    private func expire(_ alerts: inout [String: Alert], now: Double, ttl: Double) {
        alerts = alerts.filter { now - $0.value.seen <= ttl }
    }

    private func counts(_ alerts: [String: Alert]) -> Counts {
        var counts: Counts = [:]
        for alert in alerts.values { counts[Key(severity: alert.severity, category: alert.category), default: 0] += 1 }
        return counts
    }
}
