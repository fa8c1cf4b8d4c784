import BEAMCollector
import ClusterSubscription
import ErlangDistribution
import ExporterHTTP
import ExporterLogging
import Logging
import MetricsStore
import PhoenixPubSub

/// Every flag, once: name, config-file key, type, default, help text and what a value must be.
/// The option declarations take their names and help from here, the help page and the config-key
/// mapping read `all`, and resolution takes defaults and checks from the typed flags. A default a
/// module owns (a port, a frame size, a timeout) is read from the module's configuration, so that
/// it is written once, there.
public enum Flags {
    public static let help = FlagDescriptor("help", key: .none, kind: .action, "Show this help.")
    public static let version = FlagDescriptor("version", key: .none, kind: .action, "Show the version.")
    public static let configFile = OptionalFlag(
        "config.file", key: .none, expected: "a path",
        "YAML configuration file (the flags' settings, webhooks, buckets).")
    public static let configCheck = FlagDescriptor(
        "config.check", key: .none, kind: .action,
        "Check the config file, the web config and the secret files they name, print what is wrong or \"ok\" and exit 2 or 0; nothing is bound or connected."
    )

    // MARK: Serving

    public static let listenAddress = ListFlag(
        "web.listen-address", default: ExporterHTTPConfiguration().listenAddresses,
        expected: "host:port, :port or [IPv6]:port", "Address to serve on, host:port or :port.")
    public static let telemetryPath = ValueFlag.text(
        "web.telemetry-path", default: ExporterHTTPConfiguration().telemetryPath, expected: "a path like /metrics",
        isUsable: { $0.hasPrefix("/") && $0 != "/" && !$0.hasPrefix("/-/") }, "Path of the exposition.")
    public static let webConfigFile = OptionalFlag(
        "web.config.file", key: .key("web.config_file"), expected: "a path",
        "Web configuration file (exporter-toolkit format): TLS and basic authentication.")
    public static let readHeaderTimeout = ValueFlag.duration(
        "web.read-header-timeout", default: ConnectionLimits().readHeaderTimeout,
        atLeast: ConnectionLimits.shortestTimeout,
        "How long a client may take to send a whole request (from its first byte); then its connection is closed.")
    public static let idleTimeout = ValueFlag.duration(
        "web.idle-timeout", default: ConnectionLimits().idleTimeout, atLeast: ConnectionLimits.shortestTimeout,
        "How long a kept-alive connection may wait for its next request.")
    public static let maxConnections = ValueFlag.number(
        "web.max-connections", default: ConnectionLimits().maxConnections,
        in: ConnectionLimits.fewestConnections...Int.max,
        "Open HTTP connections at most; one more is closed at once (and counted).")
    public static let enableLifecycle = SwitchFlag(
        "web.enable-lifecycle", default: ExporterHTTPConfiguration().enableLifecycle,
        "Serve POST /-/reload, which reloads the configuration as SIGHUP does.")
    public static let logLevel = ValueFlag.choice(
        "log.level", default: Logger.Level.info, choices: [.trace, .debug, .info, .warning, .error],
        "Only log records at this level or above")
    public static let logFormat = ValueFlag.choice(
        "log.format", default: LogFormat.logfmt, choices: LogFormat.allCases, "Format of log lines on standard error")
    public static let ttl = ValueFlag.duration(
        "metrics.ttl", default: StoreConfiguration().ttl, atLeast: .seconds(1),
        "Remove ExESDB series not updated for this long (exporter and process series stay).")
    public static let maxSeries = ValueFlag.number(
        "metrics.max-series", default: StoreConfiguration().maxSeries, in: 1...Int.max,
        "Drop (and count) new series beyond this many live ones.")

    // MARK: The Erlang distribution

    public static let nodes = ListFlag(
        "erlang.nodes", placeholder: "NAME@HOST", expected: "an ExESDB node name like ex_esdb@host-1",
        "An ExESDB node to join (at least one); the rest of the cluster is discovered.")
    public static let name = OptionalFlag(
        "erlang.name", shown: "NAME@HOST", expected: "a node name like exesdb_exporter@host-1",
        "This node's name. Default: exesdb_exporter_<random>@<this host>, short or long like the nodes.")
    public static let cookieFile = OptionalFlag(
        "erlang.cookie-file", expected: "a path",
        "The cluster's cookie, readable by its owner only. Default: ERLANG_COOKIE, else ~/.erlang.cookie.")
    public static let netTickTime = ValueFlag.duration(
        "erlang.net-ticktime", default: .nanoseconds(DistributionConfiguration().netTickTime.nanoseconds),
        atLeast: .seconds(4), bareSeconds: true, why: ", as Erlang requires",
        "Erlang's net_ticktime: a silent node is declared dead after it.")
    public static let maxFrameSize = ValueFlag.number(
        "erlang.max-frame-size", default: DistributionConfiguration().maxFrameSize, in: 1024...Int.max, unit: "bytes",
        "Largest distribution frame accepted, in bytes.")
    public static let listen = SwitchFlag(
        "erlang.listen", default: false, "Also register in EPMD and accept connections from the nodes.")
    public static let tlsCAFile = OptionalFlag(
        "erlang.tls.ca-file", expected: "a path", "Use TLS distribution (-proto_dist inet_tls), trusting this CA.")
    public static let tlsCertificateFile = OptionalFlag(
        "erlang.tls.cert-file", expected: "a path", "Our certificate for TLS distribution.")
    public static let tlsKeyFile = OptionalFlag(
        "erlang.tls.key-file", expected: "a path", "The key of \(tlsCertificateFile.flag.dashed).")
    public static let tlsInsecure = SwitchFlag(
        "erlang.tls.insecure-skip-verify", default: false,
        "Do not verify the nodes' certificates (logs a warning; for tests only).")

    // MARK: The buses and the cluster

    public static let buses = ListFlag(
        "pubsub.buses", default: PubSubConfiguration().buses.map(\.name), expected: "a Phoenix.PubSub server name",
        "A Phoenix.PubSub server to follow.")
    public static let allBuses = SwitchFlag(
        "pubsub.all-buses", default: false,
        "Follow all nine ExESDBGater buses (system, health, metrics, lifecycle, alerts, audit, diagnostics, "
            + "security, logging), with any other \(buses.flag.dashed).")
    public static let topics = ListFlag(
        "pubsub.topics", placeholder: "BUS:TOPIC", expected: "bus:topic",
        "Only deliver this topic of this bus. Default: every topic.")
    public static let poolSize = ValueFlag.number(
        "pubsub.pool-size", default: PubSubConfiguration().poolSize, in: 1...64,
        "The buses' PubSub pool size; every group of the pool is joined.")
    public static let scope = ValueFlag.text(
        "pubsub.scope", default: PubSubConfiguration().scope.name,
        expected: "the pg scope's name (an atom, 1 to 255 characters), by default \(PubSubConfiguration().scope.name)",
        isUsable: { !$0.isEmpty && $0.unicodeScalars.count <= 255 },
        "The pg scope the PubSub servers run (Phoenix.PubSub's own unless the application changed it).")
    public static let discover = SwitchFlag(
        "cluster.discover", default: ClusterSubscription.Configuration(seeds: []).discover,
        "Find the cluster's other nodes through the seeds (erlang:nodes/0 over rex).")
    public static let shard = ValueFlag(
        FlagDescriptor(
            "cluster.shard", kind: .value(shown: "\"\(Shard.all)\"", repeatable: false), expected: Shard.expected,
            "Follow only the nodes whose name hashes to shard i of n."),
        default: Shard.all, parse: { try? Shard(parsing: $0) })
    public static let refreshInterval = ValueFlag.duration(
        "cluster.refresh-interval", default: ClusterSubscription.Configuration(seeds: []).refreshInterval,
        atLeast: .seconds(1),
        "How often every connected node is asked for its node list, to find the nodes that joined.")
    public static let secretKeyBaseFile = OptionalFlag(
        "security.secret-key-base-file", expected: "a path",
        "The publishers' SECRET_KEY_BASE, in a file. Default: the SECRET_KEY_BASE environment variable.")

    // MARK: Webhooks and collectors

    public static let spoolDirectory = OptionalFlag(
        "webhook.spool-dir", key: .key("webhooks.spool_dir"), expected: "a directory path",
        "Directory of the webhook spool. Default: webhooks.spool_dir in \(configFile.flag.dashed).")
    public static let beam = SwitchFlag(
        "collector.beam", default: true,
        "Read each followed node's VM (memory, limits, schedulers, statistics, applications) over rex.")
    public static let beamInterval = ValueFlag.duration(
        "collector.beam.interval", default: BEAMCollectorConfiguration().interval, atLeast: .seconds(1),
        "How often each node's VM is read.")
    public static let beamTimeout = ValueFlag.duration(
        "collector.beam.timeout", default: BEAMCollectorConfiguration().timeout, atLeast: .milliseconds(100),
        "How long one VM read may take; a node that does not answer is counted and asked nothing more until it does.")

    /// Every flag, in the help page's order.
    public static let all: [FlagDescriptor] = [
        help, version, configFile.flag, configCheck, listenAddress.flag, telemetryPath.flag, webConfigFile.flag,
        readHeaderTimeout.flag, idleTimeout.flag, maxConnections.flag, enableLifecycle.flag, logLevel.flag,
        logFormat.flag, ttl.flag, maxSeries.flag, nodes.flag, name.flag, cookieFile.flag, netTickTime.flag,
        maxFrameSize.flag, listen.flag, tlsCAFile.flag, tlsCertificateFile.flag, tlsKeyFile.flag, tlsInsecure.flag,
        buses.flag, allBuses.flag, topics.flag, poolSize.flag, scope.flag, discover.flag, shard.flag,
        refreshInterval.flag, secretKeyBaseFile.flag, spoolDirectory.flag, beam.flag, beamInterval.flag,
        beamTimeout.flag,
    ]

    /// The flag called `name` (without its dashes).
    public static func named(_ name: String) -> FlagDescriptor? { all.first { $0.name == name } }

    /// Keys of the config file that no flag sets: maps and lists a flag cannot carry.
    public static let fileOnlyKeys = [FileOnlyKey.buckets, FileOnlyKey.webhooks, FileOnlyKey.beamEnabled]
}

/// The config file's keys that no flag sets.
public enum FileOnlyKey {
    /// Histogram family name to its bucket upper bounds.
    public static let buckets = "metrics.buckets"
    /// The webhook forwarder's section (docs/webhooks.md).
    public static let webhooks = "webhooks"
    /// `collector.beam` as a mapping: `{enabled: true, interval: 15s, timeout: 5s}`.
    public static let beamEnabled = "collector.beam.enabled"
}
