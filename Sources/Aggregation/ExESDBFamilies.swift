import MetricsStore

/// Typed handles on the catalogue's ExESDB families, resolved once from the store.
struct ExESDBFamilies: Sendable {
    let performanceValue: GaugeFamily
    let performanceReports: CounterFamily
    let performanceTag: GaugeFamily
    let operations: CounterFamily
    let operationWindows: CounterFamily
    let throughput: GaugeFamily
    let latencyReported: GaugeFamily
    let latency: HistogramFamily
    let latencySamples: CounterFamily
    let resourceUsage: GaugeFamily
    let resourceCapacity: GaugeFamily
    let resourceUsed: GaugeFamily
    let thresholdViolations: CounterFamily
    let thresholdValue: GaugeFamily
    let thresholdObserved: GaugeFamily
    let nodeHealth: StateSetFamily
    let nodeLoad: GaugeFamily
    let nodeMemory: GaugeFamily
    let nodeDisk: GaugeFamily
    let nodeCheckPassing: GaugeFamily
    let clusterHealth: StateSetFamily
    let clusterNodes: GaugeFamily
    let clusterQuorum: GaugeFamily
    let componentHealth: StateSetFamily
    let checkStatus: StateSetFamily
    let checkDuration: HistogramFamily
    let lastReport: GaugeFamily
    let alerts: CounterFamily
    let alertsActive: GaugeFamily
    let acks: CounterFamily
    let escalations: CounterFamily
    let notifications: CounterFamily
    private let store: MetricsStore

    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "the catalogue family \(name) is not registered in the store" }
    }

    init(store: MetricsStore) throws {
        func find<Family>(_ descriptor: FamilyDescriptor, _ make: (MetricFamily?) -> Family?) throws -> Family {
            guard let family = make(store.family(named: descriptor.name)) else { throw Missing(name: descriptor.name) }
            return family
        }
        performanceValue = try find(AggregationFamilies.performanceValue, GaugeFamily.init)
        performanceReports = try find(AggregationFamilies.performanceReports, CounterFamily.init)
        performanceTag = try find(AggregationFamilies.performanceTag, GaugeFamily.init)
        operations = try find(AggregationFamilies.operations, CounterFamily.init)
        operationWindows = try find(AggregationFamilies.operationWindows, CounterFamily.init)
        throughput = try find(AggregationFamilies.throughput, GaugeFamily.init)
        latencyReported = try find(AggregationFamilies.latencyReported, GaugeFamily.init)
        latency = try find(AggregationFamilies.latency, HistogramFamily.init)
        latencySamples = try find(AggregationFamilies.latencySamples, CounterFamily.init)
        resourceUsage = try find(AggregationFamilies.resourceUsage, GaugeFamily.init)
        resourceCapacity = try find(AggregationFamilies.resourceCapacity, GaugeFamily.init)
        resourceUsed = try find(AggregationFamilies.resourceUsed, GaugeFamily.init)
        thresholdViolations = try find(AggregationFamilies.thresholdViolations, CounterFamily.init)
        thresholdValue = try find(AggregationFamilies.thresholdValue, GaugeFamily.init)
        thresholdObserved = try find(AggregationFamilies.thresholdObserved, GaugeFamily.init)
        nodeHealth = try find(AggregationFamilies.nodeHealth, StateSetFamily.init)
        nodeLoad = try find(AggregationFamilies.nodeLoad, GaugeFamily.init)
        nodeMemory = try find(AggregationFamilies.nodeMemory, GaugeFamily.init)
        nodeDisk = try find(AggregationFamilies.nodeDisk, GaugeFamily.init)
        nodeCheckPassing = try find(AggregationFamilies.nodeCheckPassing, GaugeFamily.init)
        clusterHealth = try find(AggregationFamilies.clusterHealth, StateSetFamily.init)
        clusterNodes = try find(AggregationFamilies.clusterNodes, GaugeFamily.init)
        clusterQuorum = try find(AggregationFamilies.clusterQuorum, GaugeFamily.init)
        componentHealth = try find(AggregationFamilies.componentHealth, StateSetFamily.init)
        checkStatus = try find(AggregationFamilies.checkStatus, StateSetFamily.init)
        checkDuration = try find(AggregationFamilies.checkDuration, HistogramFamily.init)
        lastReport = try find(AggregationFamilies.lastReport, GaugeFamily.init)
        alerts = try find(AggregationFamilies.alerts, CounterFamily.init)
        alertsActive = try find(AggregationFamilies.alertsActive, GaugeFamily.init)
        acks = try find(AggregationFamilies.acks, CounterFamily.init)
        escalations = try find(AggregationFamilies.escalations, CounterFamily.init)
        notifications = try find(AggregationFamilies.notifications, CounterFamily.init)
        self.store = store
    }

    /// Label values hashed once, for the families of one message that share them.
    func key(_ values: [String]) -> SeriesKey { SeriesKey(values, in: store) }
}
