import Synchronization

/// A family's series, keyed by their rendered labels. The lock guards only membership: lookups
/// and inserts take it briefly, updates to a series' value never do, and a scrape takes it once to
/// grab the current series list (an array that is copied on write, so rendering goes on outside).
public final class MetricFamily: Sendable {
    public let descriptor: FamilyDescriptor
    /// Bucket bounds rendered once: `0.005`, `+Inf`.
    let bucketLabels: [[UInt8]]
    let stateNames: [[UInt8]]
    private let table: Mutex<SeriesTable>
    unowned let store: MetricsStore

    struct SeriesTable {
        var index: [[UInt8]: Series] = [:]
        var ordered: [Series] = []
        var isSorted = true
        /// Reused for every lookup so that finding an existing series allocates nothing.
        var scratch: [UInt8] = []
    }

    init(descriptor: FamilyDescriptor, store: MetricsStore) {
        self.descriptor = descriptor
        self.store = store
        bucketLabels = (descriptor.buckets + [.infinity]).map { Array(SampleValue.text(of: $0).utf8) }
        stateNames = descriptor.states.map { Array($0.utf8) }
        table = Mutex(SeriesTable())
    }

    /// The series with these label values (in the order of `labelNames`), created if new.
    /// Nil when the store is at its series limit: the update is dropped and counted.
    func series(_ values: [String]) -> Series? {
        let tick = store.currentTick
        let maxBytes = store.configuration.maxLabelValueBytes
        let found: Series?? = table.withLock { table in
            table.scratch.removeAll(keepingCapacity: true)
            LabelSet.render(
                names: descriptor.labelNames, values: values, maxValueBytes: maxBytes, into: &table.scratch)
            if let existing = table.index[table.scratch] { return .some(existing) }
            guard store.admitSeries(expiring: descriptor.expires) else { return .some(nil) }
            let created = Series(
                labels: table.scratch, created: store.wallClock(), tick: tick,
                bucketCount: descriptor.type == .histogram ? descriptor.buckets.count : nil)
            table.index[created.labels] = created
            table.ordered.append(created)
            table.isSorted = false
            return .some(created)
        }
        guard let series = found ?? nil else { return nil }
        series.touch(tick)
        return series
    }

    /// The live series, sorted by labels so every scrape lists them in the same order. Expired
    /// series are removed first.
    func snapshot(expiringBefore cutoff: Int64?) -> [Series] {
        table.withLock { table in
            if let cutoff, descriptor.expires { removeExpired(&table, before: cutoff) }
            if !table.isSorted {
                table.ordered.sort { $0.labels.lexicographicallyPrecedes($1.labels) }
                table.isSorted = true
            }
            return table.ordered
        }
    }

    var seriesCount: Int { table.withLock { $0.ordered.count } }

    /// Removes every series (e.g. a peer's gauges when it is forgotten).
    func removeAll() {
        let removed = table.withLock { table in
            let count = table.ordered.count
            table.index.removeAll()
            table.ordered.removeAll()
            return count
        }
        store.released(removed, expiring: descriptor.expires, expired: false)
    }

    private func removeExpired(_ table: inout SeriesTable, before cutoff: Int64) {
        guard table.ordered.contains(where: { $0.lastTouch < cutoff }) else { return }
        // Decide once per series: a concurrent touch must not leave it in one list but not the other.
        var kept: [Series] = []
        kept.reserveCapacity(table.ordered.count)
        for series in table.ordered {
            if series.lastTouch < cutoff {
                table.index[series.labels] = nil
            } else {
                kept.append(series)
            }
        }
        store.released(table.ordered.count - kept.count, expiring: true, expired: true)
        table.ordered = kept
    }
}
