import ArgumentParser
import ExporterConfiguration
import ExporterHTTP
import ExporterLogging
import Logging
import MetricsStore

/// The `--web.*` (addresses, path, web config, connection limits, lifecycle), `--log.*`, `--metrics.*` and `--webhook.*` flags, over their config sections.
struct ServingOptions: ParsableArguments {
    @Option(name: Flags.listenAddress.flag.long, help: Flags.listenAddress.flag.help)
    var listenAddresses: [String] = []

    @Option(name: Flags.telemetryPath.flag.long, help: Flags.telemetryPath.flag.help)
    var telemetryPath: String?

    @Option(name: Flags.webConfigFile.flag.long, help: Flags.webConfigFile.flag.help)
    var webConfigFile: String?

    @Option(name: Flags.readHeaderTimeout.flag.long, help: Flags.readHeaderTimeout.flag.help)
    var readHeaderTimeout: String?

    @Option(name: Flags.idleTimeout.flag.long, help: Flags.idleTimeout.flag.help)
    var idleTimeout: String?

    /// Text, not an integer: a bad value gets this exporter's message and exit status 2.
    @Option(name: Flags.maxConnections.flag.long, help: Flags.maxConnections.flag.help)
    var maxConnections: String?

    @Flag(name: Flags.enableLifecycle.flag.long, inversion: .prefixedNo, help: Flags.enableLifecycle.flag.help)
    var enableLifecycle: Bool?

    @Option(name: Flags.logLevel.flag.long, help: Flags.logLevel.flag.help)
    var logLevel: String?

    @Option(name: Flags.logFormat.flag.long, help: Flags.logFormat.flag.help)
    var logFormat: String?

    @Option(name: Flags.ttl.flag.long, help: Flags.ttl.flag.help)
    var ttl: String?

    /// Text, not an integer: a bad value gets this exporter's message and exit status 2.
    @Option(name: Flags.maxSeries.flag.long, help: Flags.maxSeries.flag.help)
    var maxSeries: String?

    @Option(name: Flags.spoolDirectory.flag.long, help: Flags.spoolDirectory.flag.help)
    var spoolDirectory: String?

    func resolve(file: ExporterFileSettings) throws -> ServingSettings {
        let web = file.web
        let path = try Flags.telemetryPath.resolve(telemetryPath, file: web?.telemetryPath)
        let level = try Flags.logLevel.resolve(logLevel, fileText: file.log?.level)
        let format = try Flags.logFormat.resolve(logFormat, fileText: file.log?.format)
        let limits = ConnectionLimits(
            readHeaderTimeout: try Flags.readHeaderTimeout.resolve(
                readHeaderTimeout, file: web?.readHeaderTimeout?.duration),
            idleTimeout: try Flags.idleTimeout.resolve(idleTimeout, file: web?.idleTimeout?.duration),
            maxConnections: try Flags.maxConnections.resolve(maxConnections, file: web?.maxConnections))
        let store = StoreConfiguration(
            ttl: try Flags.ttl.resolve(ttl, file: file.metrics?.ttl?.duration),
            maxSeries: try Flags.maxSeries.resolve(maxSeries, file: file.metrics?.maxSeries))
        return ServingSettings(
            listenAddresses: Flags.listenAddress.resolve(listenAddresses, file: web?.listenAddress),
            telemetryPath: path, webConfigFile: Flags.webConfigFile.resolve(webConfigFile, file: web?.configFile),
            limits: limits, enableLifecycle: Flags.enableLifecycle.resolve(enableLifecycle, file: web?.enableLifecycle),
            logLevel: level, logFormat: format, store: store, buckets: try buckets(file: file.metrics),
            spoolDirectory: spoolDirectory)
    }

    /// `metrics.buckets` from the file: each list must be usable as a histogram's upper bounds.
    private func buckets(file: ExporterFileSettings.Metrics?) throws -> [String: [Double]] {
        let buckets = file?.buckets ?? [:]
        for (family, bounds) in buckets.sorted(by: { $0.key < $1.key }) {
            let ascending = zip(bounds, bounds.dropFirst()).allSatisfy(<)
            guard !bounds.isEmpty, bounds.allSatisfy(\.isFinite), ascending else {
                let shown = bounds.map { "\($0)" }.joined(separator: ", ")
                throw SettingError(
                    "\(FileOnlyKey.buckets).\(family)=[\(shown)]: expected finite upper bounds in increasing order, e.g. [0.001, 0.01, 0.1, 1]"
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
    public var limits: ConnectionLimits
    public var enableLifecycle: Bool
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
