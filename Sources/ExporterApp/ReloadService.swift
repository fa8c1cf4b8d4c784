import Aggregation
import ExporterConfiguration
import ExporterHTTP
import ExporterLogging
import Foundation
import Logging
import MetricsStore
import NIOPosix
import ServiceLifecycle
import Synchronization
import UnixSignals

/// SIGHUP, and `POST /-/reload` with `--web.enable-lifecycle`: reads the config file and the web
/// config again without dropping a connection. The log level, the store's TTL and series limit
/// and the web config (certificates, users, headers) change at once; settings that need new
/// listeners, connections or families are named in the log as taking effect at the next restart.
/// A file that cannot be used is refused, and what is in force stays. One reload at a time; each
/// sets `exesdb_exporter_config_last_reload_successful` and, when it succeeds, the timestamp.
public struct ReloadService: Service, CustomStringConvertible {
    let levels: LogLevelControl
    let http: ExporterHTTPServer
    let store: MetricsStore
    let aggregator: Aggregator
    let logger: Logger
    let reresolve: @Sendable () throws -> ExporterSettings
    private let inForce: InForce
    private let outcome: ReloadOutcomeFamilies?

    /// What a reload could not apply; the settings in force stay.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    public init(
        settings: ExporterSettings, levels: LogLevelControl, http: ExporterHTTPServer, store: MetricsStore,
        aggregator: Aggregator, logger: Logger, reresolve: @escaping @Sendable () throws -> ExporterSettings
    ) {
        self.levels = levels
        self.http = http
        self.store = store
        self.aggregator = aggregator
        self.logger = logger
        self.reresolve = reresolve
        inForce = InForce(settings)
        outcome = ReloadOutcomeFamilies(store: store)
        outcome?.record(success: true)
    }

    public var description: String { "ReloadService(config_file: \(inForce.settings.configFile?.path ?? "none"))" }

    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups { try? await reloadNow(trigger: "SIGHUP") }
        }
    }

    /// Reloads now, off the task pool (files are read); throws what could not be applied.
    public func reloadNow(trigger: String) async throws {
        let reload = self
        try await NIOThreadPool.singleton.runIfActive { try reload.reloadInForce(trigger: trigger) }
    }

    private func reloadInForce(trigger: String) throws {
        let failure = inForce.update { current -> (any Error)? in
            let (next, failure) = apply(from: current, trigger: trigger)
            current = next
            return failure
        }
        outcome?.record(success: failure == nil)
        if let failure { throw Failure(description: SettingNames.userWords("\(failure)")) }
    }

    /// Applies what can change while running; returns the settings now in force.
    func reload(from current: ExporterSettings) -> ExporterSettings {
        apply(from: current, trigger: "SIGHUP").settings
    }

    /// The settings in force after the reload, and what failed, if anything.
    private func apply(
        from current: ExporterSettings, trigger: String
    ) -> (settings: ExporterSettings, failure: (any Error)?) {
        logger.info("reloading the configuration", metadata: ["trigger": "\(trigger)"])
        var webFailure: (any Error)?
        do {
            try http.reloadWebConfig()  // Logs its own outcome; the previous web config stays on failure.
        } catch {
            webFailure = error
        }
        let next: ExporterSettings
        do {
            next = try reresolve()
        } catch {
            logger.error(
                "configuration not reloaded; the settings in force stay. Fix the file and reload again",
                metadata: ["error": "\(error)"])
            return (current, error)
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
        return (inForce, webFailure)
    }

    /// The config keys that changed but are only read at start.
    static func restartOnlyChanges(from old: ExporterSettings, to new: ExporterSettings) -> [String] {
        let (a, b) = (old.serving, new.serving)
        let (fileA, fileB) = (old.configFile?.settings, new.configFile?.settings)
        let checks: [(String, Bool)] = [
            (Flags.listenAddress.flag.key, a.listenAddresses != b.listenAddresses),
            (Flags.telemetryPath.flag.key, a.telemetryPath != b.telemetryPath),
            (Flags.webConfigFile.flag.key, a.webConfigFile != b.webConfigFile),
            (Flags.readHeaderTimeout.flag.key, a.limits.readHeaderTimeout != b.limits.readHeaderTimeout),
            (Flags.idleTimeout.flag.key, a.limits.idleTimeout != b.limits.idleTimeout),
            (Flags.maxConnections.flag.key, a.limits.maxConnections != b.limits.maxConnections),
            (Flags.enableLifecycle.flag.key, a.enableLifecycle != b.enableLifecycle),
            (Flags.logFormat.flag.key, a.logFormat != b.logFormat),
            (FileOnlyKey.buckets, a.buckets != b.buckets),
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

/// The settings in force, changed by one reload at a time.
private final class InForce: Sendable {
    private let current: Mutex<ExporterSettings>

    init(_ settings: ExporterSettings) { current = Mutex(settings) }

    var settings: ExporterSettings { current.withLock { $0 } }

    func update<T>(_ body: (inout ExporterSettings) -> T) -> T { current.withLock { body(&$0) } }
}

/// The outcome of reloads, named as Prometheus names its own.
struct ReloadOutcomeFamilies: Sendable {
    /// In the catalogue (docs/metrics.md).
    static let successfulFamily = FamilyDescriptor.gauge(
        "exesdb_exporter_config_last_reload_successful",
        help:
            "1 when the last configuration reload (SIGHUP or POST /-/reload) succeeded, 0 when it failed (the settings in force stay).",
        expires: false)
    static let timestampFamily = FamilyDescriptor.gauge(
        "exesdb_exporter_config_last_reload_success_timestamp_seconds",
        help: "When the configuration was last loaded successfully (at start, then each reload).", unit: "seconds",
        expires: false)
    static let families = [successfulFamily, timestampFamily]

    private let successful: GaugeFamily
    private let timestamp: GaugeFamily

    /// The families registered in `store` (found there when registered already).
    init?(store: MetricsStore) {
        // register(_:) returns the family already registered under the name when it agrees.
        func gauge(_ descriptor: FamilyDescriptor) -> GaugeFamily? { GaugeFamily(try? store.register(descriptor)) }
        guard let successful = gauge(Self.successfulFamily), let timestamp = gauge(Self.timestampFamily)
        else { return nil }
        self.successful = successful
        self.timestamp = timestamp
    }

    func record(success: Bool) {
        successful.set(success ? 1 : 0)
        if success { timestamp.set(Date().timeIntervalSince1970) }
    }
}
