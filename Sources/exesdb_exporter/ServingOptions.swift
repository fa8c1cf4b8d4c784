import ArgumentParser
import ExporterConfiguration
import ExporterLogging
import Logging
import MetricsStore

/// The `--web.*`, `--log.*`, `--metrics.*` and `--webhook.*` flags, over their config sections.
struct ServingOptions: ParsableArguments {
    @Option(
        name: .customLong("web.listen-address"),
        help: "Address to serve /metrics on, host:port or :port (repeatable). (default: :9571)")
    var listenAddresses: [String] = []

    @Option(name: .customLong("web.telemetry-path"), help: "Path under which to expose metrics. (default: /metrics)")
    var telemetryPath: String?

    @Option(
        name: .customLong("web.config.file"),
        help: "Path to a web configuration file (exporter-toolkit format) for TLS and basic authentication.")
    var webConfigFile: String?

    @Option(
        name: .customLong("log.level"),
        help: "Only log messages with the given severity or above: trace, debug, info, warning, error. (default: info)")
    var logLevel: String?

    @Option(name: .customLong("log.format"), help: "Output format of log messages: logfmt or json. (default: logfmt)")
    var logFormat: String?

    @Option(
        name: .customLong("metrics.ttl"),
        help: "Remove ExESDB series not updated for this long (e.g. 5m). (default: 5m)")
    var ttl: String?

    @Option(
        name: .customLong("metrics.max-series"),
        help: "Drop (and count) new series beyond this many live ones. (default: 100000)")
    var maxSeries: Int?

    @Option(
        name: .customLong("webhook.spool-dir"),
        help: "Directory of the webhook spool that makes deliveries survive restarts. (default: webhooks.spool_dir)")
    var spoolDirectory: String?

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
            telemetryPath: path, webConfigFile: webConfigFile ?? file.web?.configFile, logLevel: level,
            logFormat: format, store: try storeConfiguration(file: file.metrics),
            buckets: file.metrics?.buckets ?? [:], spoolDirectory: spoolDirectory)
    }

    private func storeConfiguration(file: ExporterFileSettings.Metrics?) throws -> StoreConfiguration {
        var ttlValue = file?.ttl?.duration ?? .seconds(300)
        if let ttl {
            guard let parsed = ConfigDuration.parse(ttl) else {
                throw SettingError("--metrics.ttl=\(ttl): expected a duration like 5m")
            }
            ttlValue = parsed
        }
        guard ttlValue >= .seconds(1) else {
            throw SettingError("metrics.ttl (--metrics.ttl)=\(ConfigDuration(ttlValue)): expected at least 1s")
        }
        let limit = maxSeries ?? file?.maxSeries ?? 100_000
        guard limit >= 1 else {
            throw SettingError("metrics.max_series (--metrics.max-series)=\(limit): expected at least 1")
        }
        return StoreConfiguration(ttl: ttlValue, maxSeries: limit)
    }
}

/// What the HTTP side, logging and the store run with.
struct ServingSettings: Sendable {
    var listenAddresses: [String]
    var telemetryPath: String
    var webConfigFile: String?
    var logLevel: Logger.Level
    var logFormat: LogFormat
    var store: StoreConfiguration
    var buckets: [String: [Double]]
    /// From the flag; the file's `webhooks.spool_dir` is read with the webhooks section.
    var spoolDirectory: String?
}
