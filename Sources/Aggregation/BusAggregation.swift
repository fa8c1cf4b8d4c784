import GaterMessages
import MetricsStore
import Synchronization

/// The messages of the system, lifecycle, audit, diagnostics, security and logging buses as
/// metrics (the README's metric table), every label bounded (`Vocabulary`, `ObservedNames`).
final class BusAggregation: Sendable {
    let families: BusFamilies
    private let lasting = LastingNodes()
    private let currentTTL: Mutex<Double>
    // Names from the wire, each capped.
    let systemNames = ObservedNames(capacity: 8)
    let configComponents = ObservedNames(capacity: 32)
    let features = ObservedNames(capacity: 64)
    let processes = ObservedNames(capacity: 64)
    /// ExESDB 0.11's own process events (store_started, emitter_worker_terminated...), kept as they come.
    let extraProcessEvents = ObservedNames(capacity: 32)
    let resourceTypes = ObservedNames(capacity: 32)
    let accessActions = ObservedNames(capacity: 32)
    let diagnosticComponents = ObservedNames(capacity: 64)
    let findings = ObservedNames(capacity: 32)
    let errorTypes = ObservedNames(capacity: 64)
    let logComponents = ObservedNames(capacity: 64)
    let logTypes = ObservedNames(capacity: 16)

    init(store: MetricsStore, ttl: Double) throws {
        families = try BusFamilies(store: store)
        currentTTL = Mutex(ttl)
    }

    /// How long an observed name keeps its place unseen: the series TTL.
    var ttl: Double {
        get { currentTTL.withLock { $0 } }
        set { currentTTL.withLock { $0 = newValue } }
    }

    func name(_ names: ObservedNames, _ value: String?, _ now: Double) -> String {
        names.label(value, at: now, ttl: ttl)
    }

    /// Removes the node's lasting series (version, start, features).
    func forget(node: String) {
        lasting.forget(node)
        families.removeLasting(node: node)
    }

    // MARK: - System bus

    func record(_ event: SystemLifecycle, at now: Double) {
        let kind = Vocabulary.systemEvents.label(event.event)
        families.lifecycleEvents.increment([event.node, "system", kind])
        guard kind != "stopped" else { return forget(node: event.node) }
        guard kind != "other" else { return }
        let version = LastingNodes.Version(
            system: name(systemNames, event.systemName, now), version: event.version ?? "unknown")
        note(event.node, version: version, at: now)
        families.nodeInfo.set([event.node, version.system, version.version])
        if kind == "started" { families.nodeStart.set(event.timestamp ?? now, [event.node]) }
    }

    func record(_ change: SystemConfigChange, at now: Double) {
        families.configChanges.increment([change.node, name(configComponents, change.component, now)])
    }

    /// A feature past the cap reads as `other`, which has no state of its own: not set.
    func record(_ toggle: FeatureToggle, at now: Double) {
        let feature = name(features, toggle.feature, now)
        guard let enabled = toggle.enabled, feature != "other" else { return }
        note(toggle.node, at: now)
        families.featureEnabled.set(enabled ? 1 : 0, [toggle.node, feature])
    }

    private func note(_ node: String, version: LastingNodes.Version? = nil, at now: Double) {
        let (changed, evicted) = lasting.note(node, version: version, at: now)
        if let evicted { families.removeLasting(node: evicted) }
        if changed {
            families.store.removeSeries(family: AggregationFamilies.nodeInfo.name, label: "node", value: node)
        }
    }

    // MARK: - Lifecycle bus

    func record(_ event: NodeLifecycle, reporter: String) {
        families.lifecycleEvents.increment([event.node, "node", Vocabulary.nodeEvents.label(event.event)])
        if let size = event.clusterSize { families.membershipNodes.set(Double(size), [reporter, "total"]) }
    }

    /// The documented events, and ExESDB's own (`store_started`...) as they come, capped.
    func record(_ event: ProcessLifecycle, at now: Double) {
        var kind = Vocabulary.processEvents.label(event.event)
        if kind == "other" { kind = name(extraProcessEvents, event.event, now) }
        families.lifecycleEvents.increment([event.node, "process", kind])
        switch kind {
        case "restarted": families.processRestarts.increment([event.node, name(processes, event.process, now)])
        case "crashed": families.processCrashes.increment([event.node, name(processes, event.process, now)])
        default: break
        }
    }

    func record(_ event: SupervisionEvent) {
        families.lifecycleEvents.increment([event.node, "supervision", Vocabulary.supervisionEvents.label(event.event)])
    }

    func record(_ membership: ClusterMembership) {
        families.membershipChanges.increment([membership.node, Vocabulary.membershipChanges.label(membership.event)])
        if let active = membership.activeNodes {
            families.membershipNodes.set(Double(active), [membership.node, "active"])
        }
        if let total = membership.totalNodes {
            families.membershipNodes.set(Double(total), [membership.node, "total"])
        }
    }
}
