import BEAMPeers
import ExporterHTTP
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// An ExporterHTTPServer running in its own ServiceGroup on loopback, stopped gracefully.
final class RunningServer: Sendable {
    let server: ExporterHTTPServer
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let addresses: [ListenAddress]

    /// Starts a server on `listen` (default: one free port on 127.0.0.1) and waits until it listens.
    init(
        sources: ExporterHTTPSources, listen: [String] = ["127.0.0.1:0"], telemetryPath: String = "/metrics",
        webConfigFile: String? = nil, limits: ConnectionLimits = ConnectionLimits(), enableLifecycle: Bool = false,
        metrics: (any MetricsFactory)? = nil, logger: Logger? = nil
    ) async throws {
        let configuration = ExporterHTTPConfiguration(
            listenAddresses: listen, telemetryPath: telemetryPath, webConfigFile: webConfigFile, limits: limits,
            enableLifecycle: enableLifecycle)
        let logger = logger ?? Logger(label: "exporter-http-test") { _ in SwiftLogNoOpLogHandler() }
        server = try ExporterHTTPServer(
            configuration: configuration, sources: sources, logger: logger,
            metrics: metrics ?? NOOPMetricsHandler.instance)
        group = ServiceGroup(services: [server], logger: logger)
        task = Task { [group] in try await group.run() }
        // A generous ceiling, not a timing claim: the machine may be loaded by other builds.
        addresses = try await server.waitUntilListening(timeout: .seconds(60))
    }

    var port: Int { addresses[0].port }
    func url(_ path: String, scheme: String = "http") -> String { "\(scheme)://127.0.0.1:\(port)\(path)" }

    /// Graceful shutdown; returns once the group has finished.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// Runs `body` against a started server, then stops it gracefully, whatever `body` did.
func withServer<T>(
    _ sources: ExporterHTTPSources, listen: [String] = ["127.0.0.1:0"], telemetryPath: String = "/metrics",
    webConfigFile: String? = nil, limits: ConnectionLimits = ConnectionLimits(), enableLifecycle: Bool = false,
    metrics: (any MetricsFactory)? = nil, logger: Logger? = nil, _ body: (RunningServer) async throws -> T
) async throws -> T {
    let running = try await RunningServer(
        sources: sources, listen: listen, telemetryPath: telemetryPath, webConfigFile: webConfigFile, limits: limits,
        enableLifecycle: enableLifecycle, metrics: metrics, logger: logger)
    do {
        let result = try await body(running)
        try await running.stop()
        return result
    } catch {
        try? await running.stop()
        throw error
    }
}
