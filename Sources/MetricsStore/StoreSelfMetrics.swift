/// The store's own families: live series, series dropped at the limit, series expired.
public enum StoreFamilies {
    public static let series = FamilyDescriptor.gauge(
        "exesdb_exporter_series", help: "Live series in the exporter.", expires: false)

    /// The help names the store's settings: by this module's names, else the application's.
    public static func seriesDropped(settingNames: (StoreSetting) -> String) -> FamilyDescriptor {
        .counter(
            "exesdb_exporter_series_dropped_total",
            help: "New series not created because \(settingNames(.maxSeries)) was reached.", labels: ["reason"],
            expires: false)
    }

    public static func seriesExpired(settingNames: (StoreSetting) -> String) -> FamilyDescriptor {
        .counter(
            "exesdb_exporter_series_expired_total",
            help: "Series removed because they were not updated for \(settingNames(.ttl)).", expires: false)
    }

    /// In the catalogue (docs/metrics.md), with the process families (`ProcessCollector.families`).
    public static func all(settingNames: (StoreSetting) -> String = { "\($0)" }) -> [FamilyDescriptor] {
        [series, seriesDropped(settingNames: settingNames), seriesExpired(settingNames: settingNames)]
            + ProcessCollector.families
    }
}

/// The handles of `StoreFamilies`, updated by the store.
struct StoreSelfMetrics: Sendable {
    private let live: GaugeFamily
    private let dropped: CounterFamily
    private let expired: CounterFamily
    private unowned let store: MetricsStore

    init?(store: MetricsStore, settingNames: (StoreSetting) -> String) {
        self.store = store
        do {
            live = GaugeFamily(family: try store.register(StoreFamilies.series))
            dropped = CounterFamily(family: try store.register(StoreFamilies.seriesDropped(settingNames: settingNames)))
            expired = CounterFamily(family: try store.register(StoreFamilies.seriesExpired(settingNames: settingNames)))
        } catch {
            return nil  // The declarations are constants that validate; nothing reaches here.
        }
        dropped.touch(["cardinality_limit"])
        expired.touch()
        live.set(0)
    }

    func seriesDropped() { dropped.increment(["cardinality_limit"]) }

    func seriesExpired(_ count: Int) { expired.add(Double(count)) }

    func refresh() { live.set(Double(store.seriesCount)) }
}
