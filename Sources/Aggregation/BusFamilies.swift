import MetricsStore

/// Typed handles on the families of the system, lifecycle, audit, diagnostics, security and
/// logging buses, resolved once from the store.
struct BusFamilies: Sendable {
    let nodeInfo: InfoFamily
    let nodeStart: GaugeFamily
    let configChanges: CounterFamily
    let featureEnabled: GaugeFamily
    let lifecycleEvents: CounterFamily
    let processRestarts: CounterFamily
    let processCrashes: CounterFamily
    let membershipChanges: CounterFamily
    let membershipNodes: GaugeFamily
    let auditEvents: CounterFamily
    let auditAccess: CounterFamily
    let auditAccessDuration: HistogramFamily
    let debugTraces: CounterFamily
    let debugTraceDuration: HistogramFamily
    let analyses: CounterFamily
    let analysisFinding: GaugeFamily
    let snapshots: CounterFamily
    let stateProcesses: GaugeFamily
    let stateMemory: GaugeFamily
    let errorAnalyses: CounterFamily
    let errorFrequency: GaugeFamily
    let authEvents: CounterFamily
    let accessViolations: CounterFamily
    let securityAlerts: CounterFamily
    let sessions: CounterFamily
    let sessionDuration: HistogramFamily
    let logEntries: CounterFamily
    let logEvents: CounterFamily
    let summaryEntries: GaugeFamily
    let summaryErrorRate: GaugeFamily
    let filterUpdates: CounterFamily
    let rotations: CounterFamily
    let rotatedBytes: CounterFamily
    let store: MetricsStore

    /// The families whose series outlive the TTL, by the label that names their node.
    static let lasting = [
        AggregationFamilies.nodeInfo, AggregationFamilies.nodeStart, AggregationFamilies.featureEnabled,
    ].map(\.name)

    init(store: MetricsStore) throws {
        func find<Family>(_ descriptor: FamilyDescriptor, _ make: (MetricFamily?) -> Family?) throws -> Family {
            guard let family = make(store.family(named: descriptor.name)) else {
                throw ExESDBFamilies.Missing(name: descriptor.name)
            }
            return family
        }
        nodeInfo = try find(AggregationFamilies.nodeInfo, InfoFamily.init)
        nodeStart = try find(AggregationFamilies.nodeStart, GaugeFamily.init)
        configChanges = try find(AggregationFamilies.configChanges, CounterFamily.init)
        featureEnabled = try find(AggregationFamilies.featureEnabled, GaugeFamily.init)
        lifecycleEvents = try find(AggregationFamilies.lifecycleEvents, CounterFamily.init)
        processRestarts = try find(AggregationFamilies.processRestarts, CounterFamily.init)
        processCrashes = try find(AggregationFamilies.processCrashes, CounterFamily.init)
        membershipChanges = try find(AggregationFamilies.membershipChanges, CounterFamily.init)
        membershipNodes = try find(AggregationFamilies.membershipNodes, GaugeFamily.init)
        auditEvents = try find(AggregationFamilies.auditEvents, CounterFamily.init)
        auditAccess = try find(AggregationFamilies.auditAccess, CounterFamily.init)
        auditAccessDuration = try find(AggregationFamilies.auditAccessDuration, HistogramFamily.init)
        debugTraces = try find(AggregationFamilies.debugTraces, CounterFamily.init)
        debugTraceDuration = try find(AggregationFamilies.debugTraceDuration, HistogramFamily.init)
        analyses = try find(AggregationFamilies.analyses, CounterFamily.init)
        analysisFinding = try find(AggregationFamilies.analysisFinding, GaugeFamily.init)
        snapshots = try find(AggregationFamilies.snapshots, CounterFamily.init)
        stateProcesses = try find(AggregationFamilies.stateProcesses, GaugeFamily.init)
        stateMemory = try find(AggregationFamilies.stateMemory, GaugeFamily.init)
        errorAnalyses = try find(AggregationFamilies.errorAnalyses, CounterFamily.init)
        errorFrequency = try find(AggregationFamilies.errorFrequency, GaugeFamily.init)
        authEvents = try find(AggregationFamilies.authEvents, CounterFamily.init)
        accessViolations = try find(AggregationFamilies.accessViolations, CounterFamily.init)
        securityAlerts = try find(AggregationFamilies.securityAlerts, CounterFamily.init)
        sessions = try find(AggregationFamilies.sessions, CounterFamily.init)
        sessionDuration = try find(AggregationFamilies.sessionDuration, HistogramFamily.init)
        logEntries = try find(AggregationFamilies.logEntries, CounterFamily.init)
        logEvents = try find(AggregationFamilies.logEvents, CounterFamily.init)
        summaryEntries = try find(AggregationFamilies.summaryEntries, GaugeFamily.init)
        summaryErrorRate = try find(AggregationFamilies.summaryErrorRate, GaugeFamily.init)
        filterUpdates = try find(AggregationFamilies.filterUpdates, CounterFamily.init)
        rotations = try find(AggregationFamilies.rotations, CounterFamily.init)
        rotatedBytes = try find(AggregationFamilies.rotatedBytes, CounterFamily.init)
        self.store = store
    }

    /// Removes the node's series that outlive the TTL.
    func removeLasting(node: String) {
        for family in Self.lasting { store.removeSeries(family: family, label: "node", value: node) }
    }
}
