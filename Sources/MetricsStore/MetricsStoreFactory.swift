import CoreMetrics

/// A swift-metrics factory backed by the store, so metrics made by the exporter's modules and its
/// libraries land in the same `/metrics`.
///
/// A label names the family. When the family is registered already (the catalogue is, with its
/// help, unit and buckets) its definition wins and dimensions are matched to its label names by
/// name; otherwise a family is made from the label and the dimension names. Counters get `_total`
/// when the label lacks it; timers are histograms in seconds; aggregating recorders are histograms,
/// other recorders and meters gauges. Families made here never expire.
public struct MetricsStoreFactory: MetricsFactory {
    public let store: MetricsStore

    public init(store: MetricsStore) {
        self.store = store
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        StoreCounterHandler(series: resolve(label, dimensions, as: .counter))
    }

    public func makeFloatingPointCounter(
        label: String, dimensions: [(String, String)]
    ) -> any FloatingPointCounterHandler {
        StoreCounterHandler(series: resolve(label, dimensions, as: .counter))
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        if aggregate {
            return StoreHistogramHandler(
                family: resolveFamily(label, dimensions, as: .histogram), dimensions: dimensions)
        }
        return StoreGaugeHandler(series: resolve(label, dimensions, as: .gauge))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        StoreGaugeHandler(series: resolve(label, dimensions, as: .gauge))
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        StoreHistogramHandler(family: resolveFamily(label, dimensions, as: .histogram), dimensions: dimensions)
    }

    // Handles of families that never expire stay valid; destroying one removes nothing, so a
    // value a scrape already saw never disappears because a module let go of its handle.
    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    private func resolve(_ label: String, _ dimensions: [(String, String)], as type: MetricType) -> Series? {
        guard let family = resolveFamily(label, dimensions, as: type) else { return nil }
        return family.series(Self.values(for: family, dimensions))
    }

    private func resolveFamily(
        _ label: String, _ dimensions: [(String, String)], as type: MetricType
    )
        -> MetricFamily?
    {
        var name = MetricName.sanitized(label)
        if type == .counter, !name.hasSuffix("_total") { name += "_total" }
        if let existing = store.family(named: name) {
            return existing.descriptor.type == type ? existing : nil
        }
        let descriptor = FamilyDescriptor(
            name: name, help: "\(label) (swift-metrics)", type: type,
            labelNames: dimensions.map { MetricName.sanitized($0.0) },
            buckets: type == .histogram ? FamilyDescriptor.defaultBuckets : [], expires: false)
        return try? store.register(descriptor)
    }

    static func values(for family: MetricFamily, _ dimensions: [(String, String)]) -> [String] {
        family.descriptor.labelNames.map { name in
            dimensions.first { MetricName.sanitized($0.0) == name }?.1 ?? ""
        }
    }
}

private final class StoreCounterHandler: CounterHandler, FloatingPointCounterHandler {
    let series: Series?

    init(series: Series?) { self.series = series }

    func increment(by amount: Int64) { if amount > 0 { series?.add(Double(amount)) } }
    func increment(by amount: Double) { if amount > 0, amount.isFinite { series?.add(amount) } }
    func reset() { series?.set(0) }
}

private final class StoreGaugeHandler: RecorderHandler, MeterHandler {
    let series: Series?

    init(series: Series?) { self.series = series }

    func record(_ value: Int64) { series?.set(Double(value)) }
    func record(_ value: Double) { series?.set(value) }
    func set(_ value: Int64) { series?.set(Double(value)) }
    func set(_ value: Double) { series?.set(value) }
    func increment(by amount: Double) { series?.add(amount) }
    func decrement(by amount: Double) { series?.add(-amount) }
}

private final class StoreHistogramHandler: RecorderHandler, TimerHandler {
    let histogram: HistogramFamily?
    let values: [String]

    init(family: MetricFamily?, dimensions: [(String, String)]) {
        histogram = family.map(HistogramFamily.init(family:))
        values = family.map { MetricsStoreFactory.values(for: $0, dimensions) } ?? []
    }

    func record(_ value: Int64) { histogram?.observe(Double(value), values) }
    func record(_ value: Double) { histogram?.observe(value, values) }
    func recordNanoseconds(_ duration: Int64) { histogram?.observe(Double(duration) / 1e9, values) }
}
