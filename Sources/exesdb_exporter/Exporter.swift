import Aggregation
import ArgumentParser
import BEAMCollector
import ClusterSubscription
import ExporterApp
import ExporterHTTP
import ExporterLogging
import Foundation
import GaterMessages
import Logging
import Metrics
import MetricsStore
import NIOPosix
import ServiceLifecycle
import Synchronization
import WebhookForwarder

/// Wires the modules together and runs them as one service group.
struct Exporter {
    let settings: ExporterSettings
    let version: String
    /// Resolves the flags over the config file again, for SIGHUP.
    let reresolve: @Sendable () throws -> ExporterSettings

    func run() async throws {
        StandardError.ignoreBrokenPipes()
        let levels = LogLevelControl(settings.serving.logLevel)
        let format = settings.serving.logFormat
        // Modules name their settings by their own names: the operator reads the flags.
        LoggingSystem.bootstrap { label in
            LineLogHandler(label: label, format: format, control: levels) { line in
                StandardError.write(SettingNames.userWords(line))
            }
        }
        let logger = Logger(label: "exesdb_exporter")
        let parts: Parts
        do {
            parts = try makeParts(logger: logger, levels: levels)
        } catch {
            // Nothing is bound or connected yet: say what to fix and exit as a misconfiguration does.
            StandardError.write("exesdb_exporter: \(SettingNames.userWords("\(error)"))")
            throw ExitCode(2)
        }
        let reload = ReloadService(
            settings: settings, levels: levels, http: parts.http, store: parts.store, aggregator: parts.aggregator,
            logger: logger, reresolve: reresolve)
        parts.reloads.connect { try await reload.reloadNow(trigger: "POST /-/reload") }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let webhooks = parts.webhooks { services.append(.init(service: webhooks)) }
        services += [
            .init(service: parts.http),
            .init(service: MaintenanceService(store: parts.store, aggregator: parts.aggregator)),
            .init(service: reload),
            // Last, so a graceful shutdown leaves the PubSub groups before anything else stops.
            .init(service: parts.cluster),
        ]
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            // A listener that cannot bind, say: the others were stopped gracefully by the group.
            logger.error("stopped on an error", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        logger.info("stopped")
    }

    private struct Parts {
        let store: MetricsStore
        let aggregator: Aggregator
        let webhooks: WebhookForwarder?
        let http: ExporterHTTPServer
        let cluster: ClusterService
        let reloads: ReloadRequests
    }

    /// Everything that can refuse its settings, built before anything binds or connects.
    private func makeParts(logger: Logger, levels: LogLevelControl) throws -> Parts {
        let store = try makeStore()
        MetricsSystem.bootstrap(MetricsStoreFactory(store: store))
        let aggregator = try Aggregator(store: store, alertTTL: settings.serving.store.ttl, logger: logger)
        let webhooks = try settings.webhooks.map { try WebhookForwarder(configuration: $0, logger: logger) }
        let status = ClusterStatus(buses: settings.cluster.pubsub.buses.map(\.name))
        let reloads = ReloadRequests()
        let http = try ExporterHTTPServer(
            configuration: settings.serving.http,
            sources: httpSources(store: store, status: status, webhooks: webhooks, reloads: reloads), logger: logger)
        // Webhooks are not waited for: pub/sub has no upstream ack, so waiting for the sync would only
        // slow the ingest, not save more on a crash (docs/webhooks.md, "Why the exporter does not wait").
        var cluster = ClusterService(
            setup: settings.cluster, group: MultiThreadedEventLoopGroup.singleton, logger: logger, status: status,
            consumer: IngestConsumer(aggregator: aggregator, webhooks: webhooks, logger: logger, levels: levels)
        ) { peer in
            for family in [ClusterFamilies.peerUp.name, MessageFamilies.lastMessage.name] {
                store.removeSeries(family: family, label: "peer", value: peer)
            }
            aggregator.forget(node: peer)
        }
        cluster.beam = settings.beam.map { ($0, store) }
        return Parts(
            store: store, aggregator: aggregator, webhooks: webhooks, http: http, cluster: cluster, reloads: reloads)
    }

    private func httpSources(
        store: MetricsStore, status: ClusterStatus, webhooks: WebhookForwarder?, reloads: ReloadRequests
    ) -> ExporterHTTPSources {
        let version = version
        return ExporterHTTPSources(
            render: { format in
                store.render(format)
            },
            status: {
                LandingPageStatus(
                    version: version, peers: status.peers(),
                    webhookQueues: (webhooks?.queueStatus() ?? []).map { queue in
                        ExporterHTTP.WebhookQueueStatus(
                            endpoint: queue.endpoint, length: queue.length,
                            oldestPendingAgeSeconds: queue.oldestPendingAge)
                    })
            },
            readiness: { status.readiness() },
            reload: { try await reloads.perform() }, settingNames: { SettingNames.flag(for: $0).dashed })
    }

    /// The store with the catalogue, the build info and the process collector.
    private func makeStore() throws -> MetricsStore {
        let store = MetricsStore(
            configuration: settings.serving.store, settingNames: { SettingNames.flag(for: $0).dashed })
        if let problem = ConfigCheck.bucketProblem(settings.serving.buckets) { throw SettingError(problem) }
        do {
            try MetricCatalogue.register(in: store, buckets: settings.serving.buckets)
            try ProcessCollector(store: store).install(in: store)
            if settings.beam != nil { try BEAMFamilies.register(in: store) }
            let dropped = CounterFamily(store.family(named: StandardError.droppedLinesFamily.name))
            store.addCollector { dropped?.setTotal(Double(StandardError.droppedLines)) }
        } catch {
            throw SettingError("\(FileOnlyKey.buckets): \(error)")
        }
        InfoFamily(store.family(named: BuildInfo.family.name))?.set([
            version, BuildInfo.revision, BuildInfo.swiftVersion,
        ])
        return store
    }
}

/// `POST /-/reload` before the reload service exists: the HTTP server is made first (the reload
/// service reloads its web config), so its requests go through this once both are made.
final class ReloadRequests: Sendable {
    private let action = Mutex<(@Sendable () async throws -> Void)?>(nil)

    func connect(_ perform: @escaping @Sendable () async throws -> Void) { action.withLock { $0 = perform } }

    func perform() async throws {
        guard let perform = action.withLock({ $0 }) else {
            throw ReloadService.Failure(description: "the exporter is still starting; try again")
        }
        try await perform()
    }
}

/// Sweeps expired series and alerts periodically, so memory is freed even without scrapes.
struct MaintenanceService: Service, CustomStringConvertible {
    let store: MetricsStore
    let aggregator: Aggregator

    var description: String { "MaintenanceService(sweep_every: 15s)" }

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // Woken by SIGTERM too, so shutdown never waits for the next sweep.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(15)) }
            store.sweep()
            aggregator.sweep(now: Double(Int64(Date.now.timeIntervalSince1970)))
        }
    }
}

/// What the exporter does with each accepted message, on the thread that read it: the metrics at
/// once, the alert messages handed on to the webhook forwarder's own task.
struct IngestConsumer: MessageConsumer {
    let aggregator: Aggregator
    let webhooks: WebhookForwarder?
    let logger: Logger
    /// The log level, read with one atomic load per message: asked through the logger, each
    /// message copied the log handler to learn that debug lines are off.
    let levels: LogLevelControl

    func consume(_ message: borrowing GaterMessage, peer: String, bus: String, topic: String, receivedAt: Double) {
        aggregator.record(message, peer: peer, topic: topic, at: receivedAt)
        if let webhooks, message.concernsWebhooks { webhooks.submit(copy message, from: peer) }
        guard levels.current <= .debug else { return }
        let kind = message.kind
        logger.debug(
            "message",
            metadata: ["peer": "\(peer)", "bus": "\(bus)", "topic": "\(topic)", "type": "\(kind.rawValue)"])
    }
}
