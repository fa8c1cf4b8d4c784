import ArgumentParser
import ExporterConfiguration
import ExporterLogging
import Foundation
import Logging
import WebhookForwarder

/// The executable: parses flags and the config file, wires the modules, runs them until SIGTERM
/// or SIGINT. SIGHUP reloads the config file and the web config.
@main
struct ExporterCommand: AsyncParsableCommand {
    static let version = "0.3.0-dev"

    static let configuration = CommandConfiguration(
        commandName: "exesdb_exporter",
        abstract: "Prometheus exporter for ExESDB: joins the Erlang cluster as a hidden node.",
        discussion: """
            Joins the ExESDB cluster from --erlang.nodes as a hidden Erlang node, follows the metrics, \
            health and alerts buses on every node, verifies each message's signature and serves what it \
            learns at /metrics (Prometheus text and OpenMetrics). Every flag can also be set in the YAML \
            file given by --config.file (keys are the flags' words in snake case; flags win). Secrets come \
            from files or the environment: ERLANG_COOKIE, SECRET_KEY_BASE. ERL_EPMD_PORT is honoured. \
            SIGHUP reloads the config file's log level and the web config; SIGTERM and SIGINT leave the \
            cluster's PubSub groups and stop gracefully. Exit status 2: a setting cannot be used (the \
            message says which and why).
            """,
        version: version)

    @Option(name: .customLong("config.file"), help: "Path to the YAML configuration file.")
    var configFile: String?

    @OptionGroup(title: "Web and logging") var serving: ServingOptions

    @OptionGroup(title: "Erlang cluster") var erlang: ErlangOptions

    @OptionGroup(title: "ExESDB buses") var subscription: SubscriptionOptions

    func run() async throws {
        let settings: ExporterSettings
        do {
            settings = try ExporterSettings.resolve(
                configFile: configFile, serving: serving, erlang: erlang, subscription: subscription,
                environment: ProcessInfo.processInfo.environment)
        } catch {
            // A misconfiguration names what is wrong and exits before binding or connecting anything.
            FileHandle.standardError.write(Data("exesdb_exporter: \(error)\n".utf8))
            throw ExitCode(2)
        }
        guard !settings.cluster.peers.isEmpty else {
            print(
                "exesdb_exporter \(Self.version): no nodes to join; give --erlang.nodes=name@host or erlang.nodes in --config.file (see --help)"
            )
            return
        }
        let (configFile, serving, erlang, subscription) = (configFile, serving, erlang, subscription)
        let environment = ProcessInfo.processInfo.environment
        try await Exporter(settings: settings, version: Self.version) {
            try ExporterSettings.resolve(
                configFile: configFile, serving: serving, erlang: erlang, subscription: subscription,
                environment: environment)
        }.run()
    }
}

/// Everything the exporter runs with, flags over the config file over the defaults.
struct ExporterSettings: Sendable {
    var configFile: ConfigFile?
    var serving: ServingSettings
    var cluster: ClusterSetup
    /// The `webhooks` section with the `--webhook.spool-dir` flag; nil when no endpoint is configured.
    var webhooks: WebhookConfiguration?

    static func resolve(
        configFile path: String?, serving: ServingOptions, erlang: ErlangOptions, subscription: SubscriptionOptions,
        environment: [String: String]
    ) throws -> ExporterSettings {
        let file = try path.map { path throws(ConfigFileError) in try ConfigFile.load(path: path) }
        let fileSettings = file?.settings ?? ExporterFileSettings()
        let cluster = try subscription.resolve(
            try erlang.resolve(file: fileSettings.erlang, environment: environment), file: fileSettings,
            environment: environment)
        let servingSettings = try serving.resolve(file: fileSettings)
        var webhooks = try file?.section("webhooks", as: WebhookConfiguration.self)
        if let directory = servingSettings.spoolDirectory { webhooks?.spoolDirectory = directory }
        if webhooks?.endpoints.isEmpty ?? false { webhooks = nil }
        return ExporterSettings(configFile: file, serving: servingSettings, cluster: cluster, webhooks: webhooks)
    }
}
