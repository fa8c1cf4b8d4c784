/// Typed views of a family. Each update names the label values in the order of the family's
/// label names; finding an existing series allocates nothing, so the ingest path can update by
/// label values directly. Past the series limit an update to a new series is dropped and counted.
public struct CounterFamily: Sendable {
    public let family: MetricFamily

    init(family: MetricFamily) { self.family = family }

    /// A typed view of a registered family; nil when it is of another type.
    public init?(_ family: MetricFamily?) {
        guard let family, family.descriptor.type == .counter else { return nil }
        self.family = family
    }

    /// Adds a non-negative amount; negative or non-finite amounts are ignored (a counter only rises).
    public func add(_ amount: Double, _ labels: [String] = []) {
        guard amount >= 0, amount.isFinite else { return }
        family.series(labels)?.add(amount)
    }

    public func add(_ amount: Double, _ key: SeriesKey) {
        guard amount >= 0, amount.isFinite else { return }
        family.series(key)?.add(amount)
    }

    public func increment(_ labels: [String] = []) { add(1, labels) }

    public func increment(_ key: SeriesKey) { add(1, key) }

    /// Sets the total of a counter kept elsewhere (the kernel's CPU time, say).
    public func setTotal(_ total: Double, _ labels: [String] = []) {
        guard total >= 0, total.isFinite else { return }
        family.series(labels)?.set(total)
    }

    /// Creates the series at zero if it does not exist, so it shows before its first event.
    public func touch(_ labels: [String] = []) { _ = family.series(labels) }
}

public struct GaugeFamily: Sendable {
    public let family: MetricFamily

    init(family: MetricFamily) { self.family = family }

    /// A typed view of a registered family; nil when it is of another type.
    public init?(_ family: MetricFamily?) {
        guard let family, family.descriptor.type == .gauge else { return nil }
        self.family = family
    }

    public func set(_ value: Double, _ labels: [String] = []) {
        family.series(labels)?.set(value)
    }

    public func set(_ value: Double, _ key: SeriesKey) {
        family.series(key)?.set(value)
    }

    public func add(_ delta: Double, _ labels: [String] = []) {
        family.series(labels)?.add(delta)
    }

    /// Removes every series (a view recomputed from scratch, like the active alerts).
    public func removeAll() { family.removeAll() }
}

public struct HistogramFamily: Sendable {
    public let family: MetricFamily

    init(family: MetricFamily) { self.family = family }

    /// A typed view of a registered family; nil when it is of another type.
    public init?(_ family: MetricFamily?) {
        guard let family, family.descriptor.type == .histogram else { return nil }
        self.family = family
    }

    /// Observes a value; NaN is ignored (it would poison the sum forever).
    public func observe(_ value: Double, _ labels: [String] = []) {
        guard !value.isNaN else { return }
        observe(value, in: family.series(labels))
    }

    public func observe(_ value: Double, _ key: SeriesKey) {
        guard !value.isNaN else { return }
        observe(value, in: family.series(key))
    }

    private func observe(_ value: Double, in series: Series?) {
        guard let cells = series?.histogram else { return }
        let bounds = family.descriptor.buckets
        var bucket = 0
        while bucket < bounds.count, value > bounds[bucket] { bucket += 1 }
        cells.observe(value, bucket: bucket)
    }
}

public struct StateSetFamily: Sendable {
    public let family: MetricFamily

    init(family: MetricFamily) { self.family = family }

    /// A typed view of a registered family; nil when it is of another type.
    public init?(_ family: MetricFamily?) {
        guard let family, family.descriptor.type == .stateset else { return nil }
        self.family = family
    }

    /// Makes `state` the current one. Returns false (and changes nothing) for a state the family
    /// does not list.
    @discardableResult
    public func set(_ state: String, _ labels: [String] = []) -> Bool {
        guard let index = family.descriptor.states.firstIndex(of: state) else { return false }
        family.series(labels)?.set(Double(index))
        return true
    }

    public var states: [String] { family.descriptor.states }
}

public struct InfoFamily: Sendable {
    public let family: MetricFamily

    init(family: MetricFamily) { self.family = family }

    /// A typed view of a registered family; nil when it is of another type.
    public init?(_ family: MetricFamily?) {
        guard let family, family.descriptor.type == .info else { return nil }
        self.family = family
    }

    public func set(_ labels: [String]) {
        family.series(labels)?.set(1)
    }
}

extension MetricsStore {
    public func counter(
        _ name: String, help: String, unit: String? = nil, labels: [String] = [], expires: Bool = true
    ) throws(FamilyRegistrationError) -> CounterFamily {
        CounterFamily(
            family: try register(
                FamilyDescriptor(
                    name: name, help: help, type: .counter, unit: unit, labelNames: labels, expires: expires)))
    }

    public func gauge(
        _ name: String, help: String, unit: String? = nil, labels: [String] = [], expires: Bool = true
    ) throws(FamilyRegistrationError) -> GaugeFamily {
        GaugeFamily(
            family: try register(
                FamilyDescriptor(name: name, help: help, type: .gauge, unit: unit, labelNames: labels, expires: expires)
            ))
    }

    public func histogram(
        _ name: String, help: String, unit: String? = nil, labels: [String] = [],
        buckets: [Double] = FamilyDescriptor.defaultBuckets, expires: Bool = true
    ) throws(FamilyRegistrationError) -> HistogramFamily {
        HistogramFamily(
            family: try register(
                FamilyDescriptor(
                    name: name, help: help, type: .histogram, unit: unit, labelNames: labels, buckets: buckets,
                    expires: expires)))
    }

    public func stateSet(
        _ name: String, help: String, labels: [String] = [], states: [String], expires: Bool = true
    ) throws(FamilyRegistrationError) -> StateSetFamily {
        StateSetFamily(
            family: try register(
                FamilyDescriptor(
                    name: name, help: help, type: .stateset, labelNames: labels, states: states, expires: expires)))
    }

    public func info(
        _ name: String, help: String, labels: [String], expires: Bool = false
    ) throws(FamilyRegistrationError) -> InfoFamily {
        InfoFamily(
            family: try register(
                FamilyDescriptor(name: name, help: help, type: .info, labelNames: labels, expires: expires)))
    }
}
