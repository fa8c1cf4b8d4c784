import MetricsStore

// Its own file: ExporterHTTP and MetricsStore both name a type ExpositionFormat, and the module
// MetricsStore is shadowed by its type of the same name, so the two cannot meet in one file.
extension MetricsStore {
    func render(openMetrics: Bool) -> [UInt8] { render(openMetrics ? .openMetrics : .prometheusText) }
}
