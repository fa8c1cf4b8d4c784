import Aggregation
import ExporterHTTP
import ExporterLogging
import Foundation
import Logging
import MetricsStore
import Testing

@testable import ExporterApp

/// What SIGHUP applies at once and what it leaves for the next restart.
@Suite struct ReloadServiceTests {
    @Test func theTTLAndTheSeriesLimitChangeAtOnceAndOnlyRestartKeysAreNamed() throws {
        let before = try SettingsResolutionTests().resolve(
            ["--erlang.nodes=a@host-1"], file: "metrics: {ttl: 5m, max_series: 10}\n")
        let after = try SettingsResolutionTests().resolve(
            ["--erlang.nodes=a@host-1"],
            file: """
                metrics: {ttl: 30s, max_series: 20, buckets: {exesdb_latency_seconds: [0.5, 1]}}
                web: {telemetry_path: /other}
                log: {level: debug}

                """)
        let store = MetricsStore(configuration: before.serving.store)
        try MetricCatalogue.register(in: store)
        let logger = Logger(label: "reload-test")
        let aggregator = try Aggregator(store: store, alertTTL: before.serving.store.ttl, logger: logger)
        let http = try ExporterHTTPServer(
            configuration: ExporterHTTPConfiguration(listenAddresses: ["127.0.0.1:0"]),
            sources: ExporterHTTPSources(
                render: { store.render($0) }, status: { LandingPageStatus(version: "test") }, isReady: { true }),
            logger: logger)
        let levels = LogLevelControl(.info)
        let reload = ReloadService(
            settings: before, levels: levels, http: http, store: store, aggregator: aggregator, logger: logger
        ) { after }

        let inForce = reload.reload(from: before)
        #expect(store.configuration == StoreConfiguration(ttl: .seconds(30), maxSeries: 20))
        #expect(aggregator.alertTTL == .seconds(30))
        #expect(levels.current == .debug)
        #expect(inForce.serving.store == after.serving.store)
        #expect(inForce.serving.telemetryPath == "/metrics", "a restart-only key stays as it was")
        #expect(
            ReloadService.restartOnlyChanges(from: inForce, to: after) == ["web.telemetry_path", "metrics.buckets"])
    }
}
