import GaterMessages
import Logging
import MetricsStore
import Synchronization

/// Turns each accepted message into metric updates, exactly as the README's metric tables map them:
/// one small function per payload type below. Percentages become ratios, milliseconds seconds.
public final class Aggregator: Sendable {
    private let families: ExESDBFamilies
    private let buses: BusAggregation
    private let activeAlerts: ActiveAlerts
    /// (severity, category) pairs with a series, so a pair whose last alert is acked drops to 0.
    private let activeKeys = Mutex<Set<ActiveAlerts.Key>>([])
    private let unknownStates = Mutex<Set<String>>([])
    /// The series of the label sets seen last, for the kinds that come in floods.
    private let latencySeries = SeriesCache<LatencySeries>()
    private let throughputSeries = SeriesCache<ThroughputSeries>()
    private let logger: Logger

    /// `store` must hold the catalogue (`AggregationFamilies.register`). `alertTTL` is how long an
    /// unacknowledged alert stays active without being seen again (the series TTL);
    /// `alertCapacity` how many active alerts are kept (past it, the least recently seen goes).
    public init(store: MetricsStore, alertTTL: Duration, alertCapacity: Int = 10_000, logger: Logger) throws {
        families = try ExESDBFamilies(store: store)
        buses = try BusAggregation(store: store, ttl: Double(alertTTL.components.seconds))
        activeAlerts = ActiveAlerts(capacity: alertCapacity, ttl: Double(alertTTL.components.seconds))
        self.logger = logger
    }

    /// How long an unacknowledged alert stays active without being seen again (and an observed
    /// name keeps its label); a reload sets it with the series TTL.
    public var alertTTL: Duration {
        get { .seconds(activeAlerts.ttl) }
        set {
            activeAlerts.ttl = Double(newValue.components.seconds)
            buses.ttl = Double(newValue.components.seconds)
        }
    }

    public func record(_ received: ReceivedMessage) {
        record(received.message, peer: received.peer, topic: received.topic, at: received.receivedAt)
    }

    /// A message with its origin beside it, borrowed where it was made (the ingest path's form).
    public func record(_ message: borrowing GaterMessage, peer: String, topic: String, at: Double) {
        switch message {
        case .performance(let metric): record(metric)
        case .throughput(let metric): record(metric)
        case .latency(let metric): record(metric)
        case .resourceUsage(let usage): record(usage)
        case .metricAlert(let alert): record(alert)
        case .nodeHealth(let health): record(health, at: at)
        case .clusterHealth(let health): record(health, reporter: peer, at: at)
        case .componentHealth(let health): record(health, at: at)
        case .healthCheck(let check): record(check, at: at)
        case .systemAlert(let alert): record(alert, at: at)
        case .alertAcknowledgement(let ack): record(ack, at: at)
        case .alertEscalation(let escalation):
            families.escalations.increment([escalation.fromLevel, escalation.toLevel])
        case .notificationStatus(let status):
            families.notifications.increment([status.deliveryMethod, status.status])
        case .systemLifecycle(let event): buses.record(event, at: at)
        case .systemConfig(let change): buses.record(change, at: at)
        case .featureToggle(let toggle): buses.record(toggle, at: at)
        case .nodeLifecycle(let event): buses.record(event, reporter: peer)
        case .processLifecycle(let event): buses.record(event, at: at)
        case .supervision(let event): buses.record(event)
        case .clusterMembership(let membership):
            buses.record(membership)
            if let quorum = membership.quorumStatus {
                families.clusterQuorum.set(quorum == "available" ? 1 : 0, [membership.node])
            }
        default: recordAuditToLogging(message, topic: topic, at: at)
        }
    }

    /// The audit, diagnostics, security and logging buses (the kinds above are all handled there).
    private func recordAuditToLogging(_ message: borrowing GaterMessage, topic: String, at: Double) {
        switch message {
        case .dataChange(let change): buses.record(change)
        case .adminAction(let action): buses.record(action)
        case .accessLog(let access): buses.record(access, at: at)
        case .complianceEvent(let event): buses.record(event)
        case .debugTrace(let trace): buses.record(trace, at: at)
        case .performanceAnalysis(let analysis): buses.record(analysis, at: at)
        case .systemState(let state): buses.record(state)
        case .errorAnalysis(let analysis): buses.record(analysis, at: at)
        case .authEvent(let event): buses.record(event)
        case .accessViolation(let violation): buses.record(violation)
        case .securityAlert(let alert): buses.record(alert)
        case .sessionEvent(let event): buses.record(event)
        case .logEntry(let entry): buses.record(entry, at: at)
        case .logEvent(let event): buses.record(event, topic: topic, at: at)
        case .logSummary(let summary): buses.record(summary)
        case .logFilter(let filter): buses.record(filter)
        case .logRotation(let rotation): buses.record(rotation, at: at)
        default: break
        }
    }

    /// Removes the series of `node` that outlive the TTL (its version, start time and features):
    /// the exporter calls it when it stops following the node.
    public func forget(node: String) {
        buses.forget(node: node)
    }

    /// Expires alerts not seen for the TTL (called periodically by the exporter).
    public func sweep(now: Double) {
        publish(activeAlerts.sweep(at: now))
    }

    // MARK: - Metrics bus

    private func record(_ metric: PerformanceMetric) {
        let series = [metric.node, metric.component, metric.metricName]
        families.performanceValue.set(metric.value, series + [metric.unit])
        families.performanceReports.increment(series)
        for tag in metric.numericTags { families.performanceTag.set(tag.value, series + [tag.name]) }
    }

    private func record(_ metric: ThroughputMetric) {
        let series = throughputSeries.handles(Labels(metric.node, metric.operation)) {
            let key = families.key([metric.node, metric.operation])
            return ThroughputSeries(
                families.operations.series(key), families.operationWindows.series(key), families.throughput.series(key))
        }
        series.first?.add(Double(metric.count))
        series.second?.add(Double(metric.durationMilliseconds) / 1000)
        series.third?.set(metric.ratePerSecond)
    }

    private func record(_ metric: LatencyMetric) {
        let seconds = metric.latencyMilliseconds / 1000
        let series = latencySeries.handles(Labels(metric.node, metric.operation, metric.percentile)) {
            let key = families.key([metric.node, metric.operation, metric.percentile])
            return LatencySeries(
                families.latencyReported.series(key), families.latency.series(key), families.latencySamples.series(key))
        }
        series.first?.set(seconds)
        series.second?.observe(seconds)
        series.third?.add(Double(metric.sampleCount))
    }

    private func record(_ usage: ResourceUsage) {
        let series = families.key([usage.node, usage.resourceType])
        families.resourceUsage.set(usage.usagePercent / 100, series)
        if let total = usage.totalAvailable { families.resourceCapacity.set(total, series) }
        if let used = usage.currentUsed { families.resourceUsed.set(used, series) }
    }

    private func record(_ alert: MetricAlert) {
        let series = families.key([alert.node, alert.metricName, alert.thresholdType])
        families.thresholdViolations.increment(series.values + [alert.severity])
        families.thresholdValue.set(alert.thresholdValue, series)
        families.thresholdObserved.set(alert.currentValue, series)
    }

    // MARK: - Health bus

    private func record(_ health: NodeHealth, at receivedAt: Double) {
        let node = [health.node]
        setHealth(families.nodeHealth, health.status, node)
        if let load = health.loadAverage { families.nodeLoad.set(load, node) }
        if let memory = health.memoryUsagePercent { families.nodeMemory.set(memory / 100, node) }
        if let disk = health.diskUsagePercent { families.nodeDisk.set(disk / 100, node) }
        for check in health.checks { families.nodeCheckPassing.set(check.passing ? 1 : 0, [health.node, check.name]) }
        families.lastReport.set(health.timestamp ?? receivedAt, [health.node, "node"])
    }

    private func record(_ health: ClusterHealth, reporter: String, at receivedAt: Double) {
        // A status that is no text (a list of nodes, from a shifted constructor) is no known state.
        setHealth(families.clusterHealth, health.status ?? "unknown", [reporter])
        if let healthy = health.healthyNodes { families.clusterNodes.set(Double(healthy), [reporter, "healthy"]) }
        families.clusterNodes.set(Double(health.degradedNodes.count), [reporter, "degraded"])
        families.clusterNodes.set(Double(health.unhealthyNodes.count), [reporter, "unhealthy"])
        if let total = health.totalNodes { families.clusterNodes.set(Double(total), [reporter, "total"]) }
        if let quorum = health.quorumStatus { families.clusterQuorum.set(quorum == "available" ? 1 : 0, [reporter]) }
        families.lastReport.set(health.timestamp ?? receivedAt, [reporter, "cluster"])
    }

    private func record(_ health: ComponentHealth, at receivedAt: Double) {
        setHealth(families.componentHealth, health.status, [health.node, health.component])
        families.lastReport.set(health.timestamp ?? receivedAt, [health.node, "component"])
    }

    private func record(_ check: HealthCheck, at receivedAt: Double) {
        let series = [check.node, check.checkName]
        if !families.checkStatus.set(check.result, series) {
            noteUnknownState("health check result", check.result)
            families.checkStatus.set("unknown", series)
        }
        if let duration = check.durationMilliseconds { families.checkDuration.observe(duration / 1000, series) }
        families.lastReport.set(check.timestamp ?? receivedAt, [check.node, "check"])
    }

    /// A status outside healthy, degraded, unhealthy reads as `unknown`, which is what it is to us.
    private func setHealth(_ family: StateSetFamily, _ status: String, _ labels: [String]) {
        if !family.set(status, labels) {
            noteUnknownState("health status", status)
            family.set("unknown", labels)
        }
    }

    // MARK: - Alerts bus

    private func record(_ alert: SystemAlert, at receivedAt: Double) {
        families.alerts.increment([alert.node, alert.severity, alert.category])
        // Without an id an alert can never be acknowledged: it is counted, never active.
        guard alert.requiresAcknowledgement, let id = alert.alertID else { return }
        publish(
            activeAlerts.raise(id: id, severity: alert.severity, category: alert.category, at: receivedAt))
    }

    private func record(_ ack: AlertAcknowledgement, at receivedAt: Double) {
        families.acks.increment()
        publish(activeAlerts.acknowledge(id: ack.alertID, at: receivedAt))
    }

    private func publish(_ counts: ActiveAlerts.Counts) {
        let keys = activeKeys.withLock { keys in
            keys.formUnion(counts.keys)
            // Hostile severities could grow this without end; past the cap keep only the live pairs
            // (the others' series then expire with the TTL).
            if keys.count > 1_000 { keys = Set(counts.keys) }
            return keys
        }
        for key in keys { families.alertsActive.set(Double(counts[key] ?? 0), [key.severity, key.category]) }
    }

    private func noteUnknownState(_ what: String, _ value: String) {
        guard unknownStates.withLock({ $0.insert(what + value).inserted }) else { return }
        logger.warning(
            "a \(what) outside the known states was received (further ones are not logged)",
            metadata: ["value": "\(value.prefix(64))"])
    }
}

/// A LatencyMetric's reported value, histogram and sample count.
typealias LatencySeries = SeriesTriple<GaugeSeries, HistogramSeries, CounterSeries>
/// A ThroughputMetric's operations, window seconds and rate.
typealias ThroughputSeries = SeriesTriple<CounterSeries, CounterSeries, GaugeSeries>
