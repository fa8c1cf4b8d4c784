import Foundation
import Synchronization

/// A family's series. The lock guards only membership: lookups and inserts take it briefly,
/// updates to a series' value never do, and a scrape takes it once to grab the current series
/// list (an array that is copied on write, so rendering goes on outside the lock).
///
/// Series are found by a hash of the label values, checked against the series' rendered labels
/// in place: finding an existing series neither renders nor allocates.
public final class MetricFamily: Sendable {
    public let descriptor: FamilyDescriptor
    /// The fixed pieces of the family's lines in each format.
    private let prometheusText: FamilyText
    private let openMetricsText: FamilyText
    private let labelNames: [[UInt8]]
    private let table: Mutex<SeriesTable>
    let context: StoreContext
    unowned let store: MetricsStore

    struct SeriesTable {
        var index = SeriesIndex()
        var ordered: [Series] = []
        var isSorted = true
    }

    init(descriptor: FamilyDescriptor, store: MetricsStore, context: StoreContext) {
        self.descriptor = descriptor
        self.store = store
        self.context = context
        labelNames = descriptor.labelNames.map { Array($0.utf8) }
        prometheusText = FamilyText(descriptor, format: .prometheusText)
        openMetricsText = FamilyText(descriptor, format: .openMetrics)
        table = Mutex(SeriesTable())
    }

    func text(_ format: ExpositionFormat) -> FamilyText {
        format == .openMetrics ? openMetricsText : prometheusText
    }

    /// The series with these label values (in the order of `labelNames`), created if new.
    /// Nil when the store is at its series limit: the update is dropped and counted.
    func series(_ values: [String]) -> Series? {
        let maxBytes = context.maxLabelValueBytes
        return series(values, hash: LabelSet.hash(values, count: labelNames.count, maxValueBytes: maxBytes))
    }

    /// The same, by a key whose hash is made already.
    func series(_ key: SeriesKey) -> Series? {
        series(key.values, hash: key.hash(for: labelNames.count, maxValueBytes: context.maxLabelValueBytes))
    }

    private func series(_ values: [String], hash: Int) -> Series? {
        let tick = context.tick
        let maxBytes = context.maxLabelValueBytes
        let found: Series?? = table.withLock { table in
            if let existing = table.index.find(
                hash: hash,
                where: {
                    LabelSet.matches($0.labels.buffer, names: labelNames, values: values, maxValueBytes: maxBytes)
                })
            {
                return .some(existing)
            }
            return .some(insert(&table, values: values, hash: hash, tick: tick))
        }
        guard let series = found ?? nil else { return nil }
        series.touch(tick)
        return series
    }

    private func insert(_ table: inout SeriesTable, values: [String], hash: Int, tick: Int64) -> Series? {
        guard store.admitSeries(expiring: descriptor.expires) else { return nil }
        var labels: [UInt8] = []
        LabelSet.render(
            names: descriptor.labelNames, values: values, maxValueBytes: context.maxLabelValueBytes, into: &labels)
        let created = Series(
            labels: labels, hash: hash, created: context.wallClock(), tick: tick,
            bucketCount: descriptor.type == .histogram ? descriptor.buckets.count : nil)
        table.index.insert(created)
        table.ordered.append(created)
        table.isSorted = false
        return created
    }

    /// The live series, sorted by labels so every scrape lists them in the same order. Expired
    /// series are removed first.
    func snapshot(expiringBefore cutoff: Int64?) -> [Series] {
        table.withLock { table in
            if let cutoff, descriptor.expires { removeExpired(&table, before: cutoff) }
            if !table.isSorted {
                table.ordered.sort { $0.labels.buffer.lexicographicallyPrecedes($1.labels.buffer) }
                table.isSorted = true
            }
            return table.ordered
        }
    }

    var seriesCount: Int { table.withLock { $0.ordered.count } }

    /// Removes every series (e.g. a view recomputed from scratch).
    func removeAll() {
        let removed = table.withLock { table in
            let count = table.ordered.count
            for series in table.ordered { series.retire() }
            table = SeriesTable()
            return count
        }
        store.released(removed, expiring: descriptor.expires, expired: false)
    }

    /// Removes the one series with exactly these label values (in the order of `labelNames`): a
    /// peer a node no longer sees, an application it no longer runs. Whether there was one.
    @discardableResult
    public func removeSeries(values: [String]) -> Bool {
        let maxBytes = context.maxLabelValueBytes
        let hash = LabelSet.hash(values, count: labelNames.count, maxValueBytes: maxBytes)
        let removed = table.withLock { table -> Bool in
            guard
                let series = table.index.find(
                    hash: hash,
                    where: {
                        LabelSet.matches($0.labels.buffer, names: labelNames, values: values, maxValueBytes: maxBytes)
                    })
            else { return false }
            table.index.remove(series)
            table.ordered.removeAll { $0 === series }
            series.retire()
            return true
        }
        if removed { store.released(1, expiring: descriptor.expires, expired: false) }
        return removed
    }

    /// Removes the series whose label `name` has `value` (a node that left the cluster); how many.
    func removeSeries(label name: String, value: String) -> Int {
        var pair: [UInt8] = []
        LabelSet.render(names: [name], values: [value], maxValueBytes: context.maxLabelValueBytes, into: &pair)
        let removed = table.withLock { table -> Int in
            let (gone, kept) = table.ordered.reduce(into: ([Series](), [Series]())) { split, series in
                if LabelSet.contains(series.labels.buffer, pair: pair) {
                    split.0.append(series)
                } else {
                    split.1.append(series)
                }
            }
            for series in gone {
                table.index.remove(series)
                series.retire()
            }
            table.ordered = kept
            return gone.count
        }
        store.released(removed, expiring: descriptor.expires, expired: false)
        return removed
    }

    private func removeExpired(_ table: inout SeriesTable, before cutoff: Int64) {
        guard table.ordered.contains(where: { $0.lastTouch < cutoff }) else { return }
        // Decide once per series: a concurrent touch must not leave it in one list but not the other.
        var kept: [Series] = []
        kept.reserveCapacity(table.ordered.count)
        var removed: [Series] = []
        for series in table.ordered {
            if series.lastTouch < cutoff { removed.append(series) } else { kept.append(series) }
        }
        for series in removed {
            table.index.remove(series)
            series.retire()
        }
        store.released(removed.count, expiring: true, expired: true)
        table.ordered = kept
    }
}

/// What the store's families share on the update path, without a reference back to the store:
/// the clock tick and the label value limit.
///
/// Updates stamp their series with `tick` and expiry compares those stamps with the same `tick`,
/// so the TTL is measured on one clock whatever renders or sweeps happen (or do not). The system
/// tick is `CoarseClock`'s, read with one atomic load; a clock given by a test is read directly.
@usableFromInline final class StoreContext: Sendable {
    @usableFromInline let given: (@Sendable () -> Double)?
    let maxLabelValueBytes: Int

    init(given: (@Sendable () -> Double)?, maxLabelValueBytes: Int) {
        self.given = given
        self.maxLabelValueBytes = maxLabelValueBytes
    }

    /// Whole seconds since the Unix epoch, at most about one `CoarseClock` period behind.
    @inlinable var tick: Int64 {
        guard let given else { return CoarseClock.shared.seconds }
        return Int64(given().rounded(.down))
    }

    /// Seconds since the Unix epoch, exactly (for `_created`).
    func wallClock() -> Double { given?() ?? Date().timeIntervalSince1970 }
}
