import Aggregation
import ExporterConfiguration
import ExporterHTTP
import ExporterLogging
import Logging
import MetricsStore
import ServiceLifecycle
import UnixSignals

/// SIGHUP: reads the config file and the web config again without dropping a connection. The
/// log level, the store's TTL and series limit and the web config (certificates, users, headers)
/// change at once; settings that need new listeners, connections or families are named in the log
/// as taking effect at the next restart. A file that cannot be used is refused, and what is in
/// force stays.
struct ReloadService: Service, CustomStringConvertible {
    let settings: ExporterSettings
    let levels: LogLevelControl
    let http: ExporterHTTPServer
    let store: MetricsStore
    let aggregator: Aggregator
    let logger: Logger
    let reresolve: @Sendable () throws -> ExporterSettings

    var description: String { "ReloadService(config_file: \(settings.configFile?.path ?? "none"))" }

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            var current = settings
            for await _ in hangups { current = reload(from: current) }
        }
    }

    /// Applies what can change while running; returns the settings now in force.
    func reload(from current: ExporterSettings) -> ExporterSettings {
        logger.info("SIGHUP: reloading the configuration")
        try? http.reloadWebConfig()  // Logs its own outcome; the previous web config stays on failure.
        let next: ExporterSettings
        do {
            next = try reresolve()
        } catch {
            logger.error(
                "configuration not reloaded; the settings in force stay. Fix the file and send SIGHUP again",
                metadata: ["error": "\(error)"])
            return current
        }
        if next.serving.logLevel != current.serving.logLevel {
            levels.current = next.serving.logLevel
            logger.info("log level changed", metadata: ["level": "\(next.serving.logLevel)"])
        }
        let limits = next.serving.store
        if limits != current.serving.store {
            store.reconfigure(ttl: limits.ttl, maxSeries: limits.maxSeries)
            aggregator.alertTTL = limits.ttl
            logger.info(
                "series limits changed",
                metadata: ["ttl": "\(ConfigDuration(limits.ttl))", "max_series": "\(limits.maxSeries)"])
        }
        let pending = Self.restartOnlyChanges(from: current, to: next)
        if !pending.isEmpty {
            logger.warning(
                "changed settings take effect at the next restart",
                metadata: ["settings": "\(pending.joined(separator: ","))"])
        }
        var inForce = current
        inForce.serving.logLevel = next.serving.logLevel
        inForce.serving.store = limits
        inForce.configFile = next.configFile
        return inForce
    }

    /// The config keys that changed but are only read at start.
    static func restartOnlyChanges(from old: ExporterSettings, to new: ExporterSettings) -> [String] {
        let (a, b) = (old.serving, new.serving)
        let (fileA, fileB) = (old.configFile?.settings, new.configFile?.settings)
        let checks: [(String, Bool)] = [
            ("web.listen_address", a.listenAddresses != b.listenAddresses),
            ("web.telemetry_path", a.telemetryPath != b.telemetryPath),
            ("web.config_file", a.webConfigFile != b.webConfigFile),
            ("log.format", a.logFormat != b.logFormat),
            ("metrics.buckets", a.buckets != b.buckets),
            ("erlang", fileA?.erlang != fileB?.erlang),
            ("pubsub", fileA?.pubsub != fileB?.pubsub),
            ("cluster", fileA?.cluster != fileB?.cluster),
            ("security", fileA?.security != fileB?.security),
            ("webhooks", old.webhooks != new.webhooks),
            ("collector", old.beam != new.beam),
        ]
        return checks.filter(\.1).map(\.0)
    }
}
