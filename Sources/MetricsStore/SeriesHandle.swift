/// One series of a family, held by a caller that updates it message after message (the
/// aggregation keeps the handles of the series it updated last), so that an update finds nothing:
/// no hash, no family lock. A handle goes stale when the family removes its series (TTL expiry);
/// `isLive` says so, and the caller then looks the series up again through the family.
public struct CounterSeries: Sendable {
    let series: Series
    let context: StoreContext

    public var isLive: Bool { !series.isRetired }

    public func add(_ amount: Double) {
        guard amount >= 0, amount.isFinite else { return }
        series.touch(context.tick)
        series.add(amount)
    }
}

public struct GaugeSeries: Sendable {
    let series: Series
    let context: StoreContext

    public var isLive: Bool { !series.isRetired }

    public func set(_ value: Double) {
        series.touch(context.tick)
        series.set(value)
    }
}

public struct HistogramSeries: Sendable {
    let series: Series
    let context: StoreContext
    let cells: HistogramCells
    let bounds: [Double]

    public var isLive: Bool { !series.isRetired }

    public func observe(_ value: Double) {
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
