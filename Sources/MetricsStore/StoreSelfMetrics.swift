/// The store's own families: live series, series dropped at the limit, series expired.
struct StoreSelfMetrics: Sendable {
    private let live: GaugeFamily
    private let dropped: CounterFamily
    private let expired: CounterFamily
    private unowned let store: MetricsStore

    init?(store: MetricsStore, settingNames: (StoreSetting) -> String) {
        self.store = store
        do {
            live = try store.gauge("exesdb_exporter_series", help: "Live series in the exporter.", expires: false)
            dropped = try store.counter(
                "exesdb_exporter_series_dropped_total",
                help: "New series not created because \(settingNames(.maxSeries)) was reached.", labels: ["reason"],
                expires: false)
            expired = try store.counter(
                "exesdb_exporter_series_expired_total",
                help: "Series removed because they were not updated for \(settingNames(.ttl)).", expires: false)
        } catch {
            return nil  // The names above are constants that validate; nothing reaches here.
        }
        dropped.touch(["cardinality_limit"])
        expired.touch()
        live.set(0)
    }

    func seriesDropped() { dropped.increment(["cardinality_limit"]) }

    func seriesExpired(_ count: Int) { expired.add(Double(count)) }

    func refresh() { live.set(Double(store.seriesCount)) }
}
