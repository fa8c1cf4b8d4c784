import ArgumentParser
import BEAMCollector
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

    /// `--version`, with what `exesdb_exporter_build_info` carries besides.
    static let configuration = CommandConfiguration(
        commandName: "exesdb_exporter", abstract: "Prometheus exporter for ExESDB.",
        version: "\(version) (revision: \(BuildInfo.revision), swift: \(BuildInfo.swiftVersion))")

    @Option(name: .customLong("config.file"), help: HelpPage.help("config.file"))
    var configFile: String?

    @Flag(name: .customLong("config.check"), help: HelpPage.help("config.check"))
    var configCheck = false

    @OptionGroup var serving: ServingOptions

    @OptionGroup var erlang: ErlangOptions

    @OptionGroup var subscription: SubscriptionOptions

    @OptionGroup var collectors: CollectorOptions

    /// Parses and runs like argument-parser's own `main`, except that `--help` shows `HelpPage`
    /// and every command-line mistake exits 2 like any other misconfiguration (not 64).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.prefix(while: { $0 != "--" }).contains(where: { $0 == "--help" || $0 == "-h" }) {
            print(HelpPage.render(), terminator: "")
            Self.exit()
        }
        let command: any ParsableCommand
        do {
            command = try await asyncParseAsRoot(arguments)
        } catch {
            // --version and --experimental-dump-help end here with status 0.
            guard exitCode(for: error) != .success else { Self.exit(withError: error) }
            StandardError.write("exesdb_exporter: \(CommandLineMistake(message(for: error)))")
            Self.exit(withError: ExitCode(2))
        }
        do {
            guard let exporter = command as? ExporterCommand else { Self.exit(withError: ExitCode(2)) }
            try await exporter.run()
        } catch {
            Self.exit(withError: error)
        }
        Self.exit()
    }

    func run() async throws {
        if configCheck {
            let problems = ConfigCheck.problems(
                configFile: configFile, serving: serving, erlang: erlang, subscription: subscription,
                collectors: collectors, environment: ProcessInfo.processInfo.environment)
            print(problems.isEmpty ? "ok" : problems.map { "exesdb_exporter: \($0)" }.joined(separator: "\n"))
            throw ExitCode(problems.isEmpty ? 0 : 2)
        }
        let settings: ExporterSettings
        do {
            settings = try ExporterSettings.resolve(
                configFile: configFile, serving: serving, erlang: erlang, subscription: subscription,
                collectors: collectors, environment: ProcessInfo.processInfo.environment)
        } catch {
            // A misconfiguration names what is wrong and exits before binding or connecting anything.
            StandardError.write("exesdb_exporter: \(error)")
            throw ExitCode(2)
        }
        let (configFile, serving, erlang, subscription, collectors) = (
            configFile, serving, erlang, subscription, collectors
        )
        let environment = ProcessInfo.processInfo.environment
        try await Exporter(settings: settings, version: Self.version) {
            try ExporterSettings.resolve(
                configFile: configFile, serving: serving, erlang: erlang, subscription: subscription,
                collectors: collectors, environment: environment)
        }.run()
    }
}

/// argument-parser's message for a command-line mistake (an unknown flag, a flag without its
/// value), with what the flag expects from `HelpPage` and a pointer to `--help`.
struct CommandLineMistake: CustomStringConvertible {
    let description: String

    init(_ message: String) {
        // "Missing value for '--metrics.ttl <metrics.ttl>'": name the flag alone.
        var cleaned = message.replacingOccurrences(of: #" <[^>]*>"#, with: "", options: .regularExpression)
        if cleaned.hasSuffix(".") { cleaned.removeLast() }
        var text = cleaned.prefix(1).lowercased() + cleaned.dropFirst()
        if let range = cleaned.range(of: #"--[a-z][a-z0-9.-]*"#, options: .regularExpression),
            let flag = HelpPage.flag(String(cleaned[range].dropFirst(2)))
        {
            let expected = flag.expected.isEmpty ? "no value (it is on or off)" : flag.expected
            text += "; --\(flag.name) expects \(expected)"
        }
        description = text + " (exesdb_exporter --help lists the flags)"
    }
}

/// Everything the exporter runs with, flags over the config file over the defaults.
struct ExporterSettings: Sendable {
    var configFile: ConfigFile?
    var serving: ServingSettings
    var cluster: ClusterSetup
    /// The `webhooks` section with the `--webhook.spool-dir` flag; nil when no endpoint is configured.
    var webhooks: WebhookConfiguration?
    /// The BEAM collector's settings; nil when `--no-collector.beam` (or `collector.beam: false`).
    var beam: BEAMCollectorConfiguration?

    static func resolve(
        configFile path: String?, serving: ServingOptions, erlang: ErlangOptions, subscription: SubscriptionOptions,
        collectors: CollectorOptions? = nil, environment: [String: String]
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
        // Without the options (a caller that parsed none), the file and the defaults decide.
        let beam =
            try collectors.map { try $0.resolve(file: fileSettings) }
            ?? CollectorOptions.resolve(beam: nil, interval: nil, timeout: nil, file: fileSettings.collector?.beam)
        return ExporterSettings(
            configFile: file, serving: servingSettings, cluster: cluster, webhooks: webhooks, beam: beam)
    }
}
