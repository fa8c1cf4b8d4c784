import BEAMPeers
import Testing

@testable import Aggregation

/// ActiveAlerts keeps its counts and its queue of raises incrementally; a plain model that
/// rescans every alert at each step says what the counts must be.
@Suite struct ActiveAlertsTests {
    /// The obvious implementation: every step filters and counts all alerts.
    struct Model {
        var alerts: [String: (key: ActiveAlerts.Key, seen: Double)] = [:]
        let capacity: Int
        let ttl: Double

        mutating func raise(_ id: String, _ key: ActiveAlerts.Key, at now: Double) -> ActiveAlerts.Counts {
            alerts[id] = (key, now)
            expire(now)
            if alerts.count > capacity, let oldest = alerts.min(by: { $0.value.seen < $1.value.seen })?.key {
                alerts[oldest] = nil
            }
            return counts
        }

        mutating func acknowledge(_ id: String, at now: Double) -> ActiveAlerts.Counts {
            alerts[id] = nil
            expire(now)
            return counts
        }

        mutating func sweep(at now: Double) -> ActiveAlerts.Counts {
            expire(now)
            return counts
        }

        private mutating func expire(_ now: Double) { alerts = alerts.filter { now - $0.value.seen <= ttl } }

        private var counts: ActiveAlerts.Counts {
            alerts.values.reduce(into: [:]) { counts, alert in counts[alert.key, default: 0] += 1 }
        }
    }

    @Test func countsMatchAModelThatRescansEverything() async {
        await onOwnThread {
            var random = SystemRandomNumberGenerator()
            for _ in 0..<20 {
                let capacity = Int.random(in: 1...12, using: &random)
                let ttl = Double(Int.random(in: 5...40, using: &random))
                let alerts = ActiveAlerts(capacity: capacity, ttl: ttl)
                var model = Model(capacity: capacity, ttl: ttl)
                var now = 0.0
                for step in 0..<2000 {
                    // Strictly increasing times: the model breaks ties between equal times arbitrarily.
                    now += Double(Int.random(in: 1...3, using: &random))
                    let id = "a\(Int.random(in: 0..<30, using: &random))"
                    let key = ActiveAlerts.Key(
                        severity: ["warning", "error", "critical"].randomElement(using: &random) ?? "",
                        category: ["network", "data"].randomElement(using: &random) ?? "")
                    let (actual, expected): (ActiveAlerts.Counts, ActiveAlerts.Counts)
                    switch Int.random(in: 0..<10, using: &random) {
                    case 0..<6:
                        actual = alerts.raise(id: id, severity: key.severity, category: key.category, at: now)
                        expected = model.raise(id, key, at: now)
                    case 6..<9:
                        actual = alerts.acknowledge(id: id, at: now)
                        expected = model.acknowledge(id, at: now)
                    default:
                        now += ttl / 2
                        actual = alerts.sweep(at: now)
                        expected = model.sweep(at: now)
                    }
                    guard actual == expected else {
                        Issue.record("step \(step), capacity \(capacity), ttl \(ttl): \(actual) != \(expected)")
                        return
                    }
                }
            }
        }
    }

    @Test func aFloodUpToTheCapacityKeepsTheNewestAndCountsThem() {
        let alerts = ActiveAlerts(capacity: 1000, ttl: 1e9)
        var counts: ActiveAlerts.Counts = [:]
        for index in 0..<50_000 {
            counts = alerts.raise(id: "a\(index)", severity: "critical", category: "network", at: Double(index))
        }
        #expect(counts == [ActiveAlerts.Key(severity: "critical", category: "network"): 1000])
        // The oldest left is the 1000th newest: acknowledging it lowers the count, an older one does not.
        #expect(alerts.acknowledge(id: "a48999", at: 50_000).values.first == 1000)
        #expect(alerts.acknowledge(id: "a49000", at: 50_000).values.first == 999)
    }
}
