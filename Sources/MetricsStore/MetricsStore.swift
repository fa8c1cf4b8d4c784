import Foundation
import Synchronization

/// The exporter's metric families and their series, rendered on every scrape.
///
/// Families are registered once (the catalogue at start, swift-metrics handles on first use);
/// series appear on first update. Series of expiring families that are not updated for the TTL
/// are removed, and past the series limit new series are dropped and counted, so whatever the
/// cluster sends, memory stays bounded.
public final class MetricsStore: Sendable {
    private let families = Mutex<Registry>(Registry())

    /// The families by name, and in name order (kept: every render walks them in that order, and
    /// families are registered far more rarely than scraped).
    private struct Registry {
        var byName: [String: MetricFamily] = [:]
        var sorted: [MetricFamily]?
    }
    private let expiringSeries = Atomic<Int>(0)
    private let totalSeries = Atomic<Int>(0)
    /// The limits a reload may change while running (`reconfigure`).
    private let ttlSeconds: Atomic<Int64>
    private let maxSeries: Atomic<Int>
    let context: StoreContext
    private let collectors = Mutex<[@Sendable () -> Void]>([])
    private let selfMetrics = Mutex<StoreSelfMetrics?>(nil)
    /// The last body's size, so the next render reserves enough at once.
    private let lastRenderSize = Atomic<Int>(1 << 16)

    /// `clock` gives seconds since the Unix epoch; tests pass their own to move time. Without
    /// one, the TTL runs on `CoarseClock`. `settingNames` names the store's settings in its own
    /// families' help: by default this module's names, else the application's (its flags).
    public init(
        configuration: StoreConfiguration = StoreConfiguration(), clock: (@Sendable () -> Double)? = nil,
        settingNames: (StoreSetting) -> String = { "\($0)" }
    ) {
        ttlSeconds = Atomic(Self.wholeSeconds(configuration.ttl))
        maxSeries = Atomic(configuration.maxSeries)
        self.context = StoreContext(given: clock, maxLabelValueBytes: configuration.maxLabelValueBytes)
        selfMetrics.withLock { $0 = StoreSelfMetrics(store: self, settingNames: settingNames) }
    }

    /// The limits in force.
    public var configuration: StoreConfiguration {
        StoreConfiguration(
            ttl: .seconds(ttlSeconds.load(ordering: .relaxed)), maxSeries: maxSeries.load(ordering: .relaxed),
            maxLabelValueBytes: context.maxLabelValueBytes)
    }

    /// Changes the TTL and the series limit while running (a reload). Live series stay: a lower
    /// limit only refuses new series until enough expire; a shorter TTL applies at the next sweep.
    /// The label value cap is fixed at start, since existing series are found by their capped values.
    public func reconfigure(ttl: Duration, maxSeries limit: Int) {
        ttlSeconds.store(Self.wholeSeconds(ttl), ordering: .relaxed)
        maxSeries.store(limit, ordering: .relaxed)
    }

    private static func wholeSeconds(_ duration: Duration) -> Int64 { max(duration.components.seconds, 1) }

    /// Registers a family, or returns the one already registered under that name when the
    /// definition agrees.
    @discardableResult
    public func register(_ descriptor: FamilyDescriptor) throws(FamilyRegistrationError) -> MetricFamily {
        try Self.validate(descriptor)
        return try families.withLock { families throws(FamilyRegistrationError) in
            if let existing = families.byName[descriptor.name] {
                guard existing.descriptor.type == descriptor.type,
                    existing.descriptor.labelNames == descriptor.labelNames,
                    existing.descriptor.unit == descriptor.unit
                else { throw .conflictingDefinition(descriptor.name) }
                return existing
            }
            let family = MetricFamily(descriptor: descriptor, store: self, context: context)
            families.byName[descriptor.name] = family
            families.sorted = nil
            return family
        }
    }

    public func family(named name: String) -> MetricFamily? {
        families.withLock { $0.byName[name] }
    }

    /// Removes the series of family `name` whose label `label` has `value` (the series of a node
    /// that left the cluster, say); how many went. None for a family not registered.
    @discardableResult
    public func removeSeries(family name: String, label: String, value: String) -> Int {
        family(named: name)?.removeSeries(label: label, value: value) ?? 0
    }

    /// Runs before every render, to refresh gauges read from elsewhere (the process collector).
    public func addCollector(_ collect: @escaping @Sendable () -> Void) {
        collectors.withLock { $0.append(collect) }
    }

    /// Live series in every family.
    public var seriesCount: Int { totalSeries.load(ordering: .relaxed) }

    /// Removes expired series. Rendering does this too; the exporter also calls it periodically
    /// so memory is freed without scrapes.
    public func sweep() {
        let cutoff = expiryCutoff
        for family in sortedFamilies() where family.descriptor.expires {
            _ = family.snapshot(expiringBefore: cutoff)
        }
    }

    // MARK: - For families and renderers

    /// Series last updated before this tick have expired.
    var expiryCutoff: Int64 { context.tick - ttlSeconds.load(ordering: .relaxed) }

    /// Whether one more series may be created; counts it if so, counts the drop if not.
    func admitSeries(expiring: Bool) -> Bool {
        if expiring {
            let (admitted, _) = expiringSeries.wrappingAdd(1, ordering: .relaxed)
            guard admitted < maxSeries.load(ordering: .relaxed) else {
                expiringSeries.wrappingSubtract(1, ordering: .relaxed)
                selfMetrics.withLock { $0 }?.seriesDropped()
                return false
            }
        }
        totalSeries.wrappingAdd(1, ordering: .relaxed)
        return true
    }

    func released(_ count: Int, expiring: Bool, expired: Bool) {
        guard count > 0 else { return }
        if expiring { expiringSeries.wrappingSubtract(count, ordering: .relaxed) }
        totalSeries.wrappingSubtract(count, ordering: .relaxed)
        if expired { selfMetrics.withLock { $0 }?.seriesExpired(count) }
    }

    var renderCapacityHint: Int { lastRenderSize.load(ordering: .relaxed) + 4096 }

    func noteRenderSize(_ size: Int) { lastRenderSize.store(size, ordering: .relaxed) }

    func runCollectors() {
        for collect in collectors.withLock({ $0 }) { collect() }
    }

    func refreshSelfMetrics() { selfMetrics.withLock { $0 }?.refresh() }

    func sortedFamilies() -> [MetricFamily] {
        families.withLock { families in
            if let sorted = families.sorted { return sorted }
            let sorted = families.byName.values.sorted { $0.descriptor.name < $1.descriptor.name }
            families.sorted = sorted
            return sorted
        }
    }

    private static func validate(_ descriptor: FamilyDescriptor) throws(FamilyRegistrationError) {
        guard MetricName.isValidMetricName(descriptor.name) else { throw .invalidName(descriptor.name) }
        for label in descriptor.labelNames where !MetricName.isValidLabelName(label) || label == "le" {
            throw .invalidLabelName(family: descriptor.name, label: label)
        }
        if descriptor.type == .histogram {
            let bounds = descriptor.buckets
            guard !bounds.isEmpty, bounds.allSatisfy(\.isFinite), zip(bounds, bounds.dropFirst()).allSatisfy(<)
            else { throw .invalidBuckets(family: descriptor.name) }
        }
        try validateSuffixes(descriptor)
        if descriptor.type == .stateset {
            guard !descriptor.states.isEmpty else { throw .missingStates(family: descriptor.name) }
            // The state label is named like the family, so the name must also be a label name.
            guard MetricName.isValidLabelName(descriptor.name), !descriptor.labelNames.contains(descriptor.name) else {
                throw .invalidLabelName(family: descriptor.name, label: descriptor.name)
            }
        }
    }

    /// Counters end in `_total`, info families in `_info`, and a unit is the name's last word(s)
    /// before those suffixes, as OpenMetrics requires.
    private static func validateSuffixes(_ descriptor: FamilyDescriptor) throws(FamilyRegistrationError) {
        var base = Substring(descriptor.name)
        switch descriptor.type {
        case .counter:
            guard base.hasSuffix("_total") else { throw .invalidName(descriptor.name + " (a counter ends in _total)") }
            base = base.dropLast(6)
        case .info:
            guard base.hasSuffix("_info") else { throw .invalidName(descriptor.name + " (an info ends in _info)") }
            base = base.dropLast(5)
        default: break
        }
        if let unit = descriptor.unit, !base.hasSuffix("_" + unit) {
            throw .invalidName(descriptor.name + " (its unit \(unit) must end the name)")
        }
    }
}
