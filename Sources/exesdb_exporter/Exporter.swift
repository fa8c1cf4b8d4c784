import Aggregation
import ExporterLogging
import Foundation
import Logging
import Metrics
import MetricsStore
import NIOPosix
import ServiceLifecycle

/// Wires the modules together and runs them as one service group.
struct Exporter {
    let settings: ExporterSettings
    let version: String

    func run() async throws {
        let levels = LogLevelControl(settings.serving.logLevel)
        let format = settings.serving.logFormat
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, format: format, control: levels) }
        let logger = Logger(label: "exesdb_exporter")
        let store = try makeStore()
        MetricsSystem.bootstrap(MetricsStoreFactory(store: store))
        let aggregator = try Aggregator(store: store, alertTTL: settings.serving.store.ttl, logger: logger)
        let cluster = ClusterService(
            setup: settings.cluster, group: MultiThreadedEventLoopGroup.singleton, logger: logger
        ) { received in
            aggregator.record(received)
        }
        let maintenance = MaintenanceService(store: store, aggregator: aggregator)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: cluster),
                    .init(service: maintenance, successTerminationBehavior: .ignore),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The store with the catalogue, the build info and the process collector.
    private func makeStore() throws -> MetricsStore {
        let store = MetricsStore(configuration: settings.serving.store)
        let histograms = Set(Catalogue.histogramNames)
        for name in settings.serving.buckets.keys.sorted() where !histograms.contains(name) {
            throw SettingError(
                "metrics.buckets.\(name): not a histogram of the catalogue (\(histograms.sorted().joined(separator: ", ")))"
            )
        }
        do {
            try Catalogue.register(in: store, buckets: settings.serving.buckets)
            try ProcessCollector(store: store).install(in: store)
        } catch {
            throw SettingError("metrics.buckets: \(error)")
        }
        InfoFamily(store.family(named: "exesdb_exporter_build_info"))?.set([
            version, BuildInfo.revision, BuildInfo.swiftVersion,
        ])
        return store
    }
}

/// Sweeps expired series and alerts periodically, so memory is freed even without scrapes.
struct MaintenanceService: Service {
    let store: MetricsStore
    let aggregator: Aggregator

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // Woken by SIGTERM too, so shutdown never waits for the next sweep.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(15)) }
            store.sweep()
            aggregator.sweep(now: Double(Int64(Date.now.timeIntervalSince1970)))
        }
    }
}

/// What `exesdb_exporter_build_info` reports.
enum BuildInfo {
    /// Set by the build (scripts pass the git revision through EXESDB_EXPORTER_REVISION at run time
    /// when the binary was built from a checkout); "unknown" otherwise.
    static var revision: String {
        ProcessInfo.processInfo.environment["EXESDB_EXPORTER_REVISION"] ?? "unknown"
    }

    static var swiftVersion: String {
        #if compiler(>=6.4)
            "6.4+"
        #elseif compiler(>=6.3)
            "6.3"
        #elseif compiler(>=6.2)
            "6.2"
        #else
            "6.x"
        #endif
    }
}
