/// One series of a family, held by a caller that updates it message after message (the
/// aggregation keeps the handles of the series it updated last), so that an update finds nothing:
/// no hash, no family lock. A handle goes stale when the family removes its series (TTL expiry);
/// `isLive` says so, and the caller then looks the series up again through the family.
// The update methods are inlinable: called across modules, each call retained and released
// every reference of the handle around it (16 reference counts per LatencyMetric).
public struct CounterSeries: Sendable {
    @usableFromInline let series: Series
    @usableFromInline let context: StoreContext

    @inlinable public var isLive: Bool { !series.isRetired }

    @inlinable @inline(__always) public func add(_ amount: Double) {
        guard amount >= 0, amount.isFinite else { return }
        series.touch(context.tick)
        series.add(amount)
    }
}

public struct GaugeSeries: Sendable {
    @usableFromInline let series: Series
    @usableFromInline let context: StoreContext

    @inlinable public var isLive: Bool { !series.isRetired }

    @inlinable @inline(__always) public func set(_ value: Double) {
        series.touch(context.tick)
        series.set(value)
    }
}

public struct HistogramSeries: Sendable {
    @usableFromInline let series: Series
    @usableFromInline let context: StoreContext
    @usableFromInline let cells: HistogramCells
    @usableFromInline let bounds: [Double]

    @inlinable public var isLive: Bool { !series.isRetired }

    @inlinable @inline(__always) public func observe(_ value: Double) {
        guard !value.isNaN else { return }
        series.touch(context.tick)
        var bucket = 0
        while bucket < bounds.count, value > bounds[bucket] { bucket += 1 }
        cells.observe(value, bucket: bucket)
    }
}

extension CounterFamily {
    /// The series of `key`, created if new; nil past the series limit (the drop is counted).
    public func series(_ key: SeriesKey) -> CounterSeries? {
        family.series(key).map { CounterSeries(series: $0, context: family.context) }
    }
}

extension GaugeFamily {
    public func series(_ key: SeriesKey) -> GaugeSeries? {
        family.series(key).map { GaugeSeries(series: $0, context: family.context) }
    }
}

extension HistogramFamily {
    public func series(_ key: SeriesKey) -> HistogramSeries? {
        guard let series = family.series(key), let cells = series.histogram else { return nil }
        return HistogramSeries(series: series, context: family.context, cells: cells, bounds: family.descriptor.buckets)
    }
}
