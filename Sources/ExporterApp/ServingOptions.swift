import ArgumentParser
import ExporterConfiguration
import ExporterHTTP
import ExporterLogging
import Logging
import MetricsStore

/// The `--web.*` (addresses, path, web config, connection limits, lifecycle), `--log.*`, `--metrics.*` and `--webhook.*` flags, over their config sections.
struct ServingOptions: ParsableArguments {
    @Option(name: .customLong("web.listen-address"), help: HelpPage.help("web.listen-address"))
    var listenAddresses: [String] = []

    @Option(name: .customLong("web.telemetry-path"), help: HelpPage.help("web.telemetry-path"))
    var telemetryPath: String?

    @Option(name: .customLong("web.config.file"), help: HelpPage.help("web.config.file"))
    var webConfigFile: String?

    @Option(name: .customLong("web.read-header-timeout"), help: HelpPage.help("web.read-header-timeout"))
    var readHeaderTimeout: String?

    @Option(name: .customLong("web.idle-timeout"), help: HelpPage.help("web.idle-timeout"))
    var idleTimeout: String?

    /// Text, not an integer: a bad value gets this exporter's message and exit status 2.
    @Option(name: .customLong("web.max-connections"), help: HelpPage.help("web.max-connections"))
    var maxConnections: String?

    @Flag(
        name: .customLong("web.enable-lifecycle"), inversion: .prefixedNo, help: HelpPage.help("web.enable-lifecycle"))
    var enableLifecycle: Bool?

    @Option(name: .customLong("log.level"), help: HelpPage.help("log.level"))
    var logLevel: String?

    @Option(name: .customLong("log.format"), help: HelpPage.help("log.format"))
    var logFormat: String?

    @Option(name: .customLong("metrics.ttl"), help: HelpPage.help("metrics.ttl"))
    var ttl: String?

    /// Text, not an integer: a bad value gets this exporter's message and exit status 2.
    @Option(name: .customLong("metrics.max-series"), help: HelpPage.help("metrics.max-series"))
    var maxSeries: String?

    @Option(name: .customLong("webhook.spool-dir"), help: HelpPage.help("webhook.spool-dir"))
    public var spoolDirectory: String?

    func resolve(file: ExporterFileSettings) throws -> ServingSettings {
        let path = telemetryPath ?? file.web?.telemetryPath ?? "/metrics"
        guard path.hasPrefix("/"), path != "/", !path.hasPrefix("/-/") else {
            throw SettingError("web.telemetry_path (--web.telemetry-path)=\(path): expected a path like /metrics")
        }
        let levelText = logLevel ?? file.log?.level ?? "info"
        guard let level = Logger.Level(rawValue: levelText), level != .notice, level != .critical else {
            throw SettingError("log.level (--log.level)=\(levelText): expected trace, debug, info, warning or error")
        }
        let formatText = logFormat ?? file.log?.format ?? "logfmt"
        guard let format = LogFormat(rawValue: formatText) else {
            throw SettingError("log.format (--log.format)=\(formatText): expected logfmt or json")
        }
        return ServingSettings(
            listenAddresses: listenAddresses.isEmpty ? file.web?.listenAddress ?? [":9571"] : listenAddresses,
            telemetryPath: path, webConfigFile: webConfigFile ?? file.web?.configFile,
            limits: try connectionLimits(file: file.web),
            enableLifecycle: enableLifecycle ?? file.web?.enableLifecycle ?? false, logLevel: level,
            logFormat: format, store: try storeConfiguration(file: file.metrics),
            buckets: try buckets(file: file.metrics), spoolDirectory: spoolDirectory)
    }

    /// How long a client may take and how many may be connected, flags over the file.
    private func connectionLimits(file: ExporterFileSettings.Web?) throws -> ConnectionLimits {
        let defaults = ConnectionLimits()
        let header = try SettingError.duration(
            readHeaderTimeout, file: file?.readHeaderTimeout?.duration, fallback: defaults.readHeaderTimeout,
            atLeast: .milliseconds(100), flag: "web.read-header-timeout")
        let idle = try SettingError.duration(
            idleTimeout, file: file?.idleTimeout?.duration, fallback: defaults.idleTimeout,
            atLeast: .milliseconds(100), flag: "web.idle-timeout")
        let connections =
            try maxConnections.map { try SettingError.wholeNumber($0, flag: "web.max-connections") }
            ?? file?.maxConnections ?? defaults.maxConnections
        guard connections >= 1 else {
            throw SettingError("web.max_connections (--web.max-connections)=\(connections): expected at least 1")
        }
        return ConnectionLimits(readHeaderTimeout: header, idleTimeout: idle, maxConnections: connections)
    }

    private func storeConfiguration(file: ExporterFileSettings.Metrics?) throws -> StoreConfiguration {
        let ttlValue = try SettingError.duration(
            ttl, file: file?.ttl?.duration, fallback: .seconds(300), atLeast: .seconds(1), flag: "metrics.ttl")
        let limit =
            try maxSeries.map { try SettingError.wholeNumber($0, flag: "metrics.max-series") }
            ?? file?.maxSeries ?? 100_000
        guard limit >= 1 else {
            throw SettingError("metrics.max_series (--metrics.max-series)=\(limit): expected at least 1")
        }
        return StoreConfiguration(ttl: ttlValue, maxSeries: limit)
    }

    /// `metrics.buckets` from the file: each list must be usable as a histogram's upper bounds.
    private func buckets(file: ExporterFileSettings.Metrics?) throws -> [String: [Double]] {
        let buckets = file?.buckets ?? [:]
        for (family, bounds) in buckets.sorted(by: { $0.key < $1.key }) {
            let ascending = zip(bounds, bounds.dropFirst()).allSatisfy(<)
            guard !bounds.isEmpty, bounds.allSatisfy(\.isFinite), ascending else {
                let shown = bounds.map { "\($0)" }.joined(separator: ", ")
                throw SettingError(
                    "metrics.buckets.\(family)=[\(shown)]: expected finite upper bounds in increasing order, e.g. [0.001, 0.01, 0.1, 1]"
                )
            }
        }
        return buckets
    }
}

/// What the HTTP side, logging and the store run with.
public struct ServingSettings: Sendable {
    public var listenAddresses: [String]
    public var telemetryPath: String
    public var webConfigFile: String?
    public var limits = ConnectionLimits()
    public var enableLifecycle = false
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    public var store: StoreConfiguration
    public var buckets: [String: [Double]]
    /// From the flag; the file's `webhooks.spool_dir` is read with the webhooks section.
    public var spoolDirectory: String?

    /// What the HTTP server is made with.
    public var http: ExporterHTTPConfiguration {
        ExporterHTTPConfiguration(
            listenAddresses: listenAddresses, telemetryPath: telemetryPath, webConfigFile: webConfigFile,
            limits: limits,
            enableLifecycle: enableLifecycle)
    }
}
