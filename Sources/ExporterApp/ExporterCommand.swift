import ArgumentParser
import BEAMCollector
import ExporterConfiguration
import ExporterLogging
import Foundation
import Logging
import WebhookForwarder

/// The command line: the flags, parsed as argument-parser parses them, except that `--help` shows
/// `HelpPage` and every mistake exits 2 like any other misconfiguration (not 64). The executable
/// runs what it resolves to.
public struct ExporterCommand: ParsableCommand, Sendable {
    public static let version = "0.3.0-dev"

    /// `--version`, with what `exesdb_exporter_build_info` carries besides.
    public static let configuration = CommandConfiguration(
        commandName: "exesdb_exporter", abstract: "Prometheus exporter for ExESDB.",
        version: "\(version) (revision: \(BuildInfo.revision), swift: \(BuildInfo.swiftVersion))")

    @Option(name: Flags.configFile.flag.long, help: Flags.configFile.flag.help)
    public var configFile: String?

    @Flag(name: Flags.configCheck.long, help: Flags.configCheck.help)
    public var configCheck = false

    @OptionGroup var serving: ServingOptions

    @OptionGroup var erlang: ErlangOptions

    @OptionGroup var subscription: SubscriptionOptions

    @OptionGroup var collectors: CollectorOptions

    public init() {}

    /// The command `arguments` (without the program's name) stand for; exits on `--help`,
    /// `--version` (status 0) and on a mistake, which it names (status 2).
    public static func parseOrExit(_ arguments: [String]) -> ExporterCommand {
        if arguments.prefix(while: { $0 != "--" }).contains(where: { $0 == "--help" || $0 == "-h" }) {
            print(HelpPage.render(), terminator: "")
            Self.exit()
        }
        do {
            guard let command = try parseAsRoot(arguments) as? ExporterCommand else {
                Self.exit(withError: ExitCode(2))
            }
            return command
        } catch {
            // --version and --experimental-dump-help end here with status 0.
            guard exitCode(for: error) != .success else { Self.exit(withError: error) }
            StandardError.write("exesdb_exporter: \(CommandLineMistake(message(for: error)))")
            Self.exit(withError: ExitCode(2))
        }
    }

    /// Everything the exporter runs with, flags over the config file over the defaults; what
    /// cannot be used is named in the operator's words (`SettingNames`).
    public func resolve(environment: [String: String]) throws -> ExporterSettings {
        do {
            return try ExporterSettings.resolve(
                configFile: configFile, serving: serving, erlang: erlang, subscription: subscription,
                collectors: collectors, environment: environment)
        } catch {
            throw SettingError(SettingNames.userWords("\(error)"))
        }
    }

    /// `--config.check`: what is wrong, each in the words a start would use; empty when nothing is.
    public func problems(environment: [String: String]) -> [String] {
        ConfigCheck.problems(
            configFile: configFile, serving: serving, erlang: erlang, subscription: subscription,
            collectors: collectors, environment: environment
        ).map(SettingNames.userWords)
    }
}

/// argument-parser's message for a command-line mistake (an unknown flag, a flag without its
/// value), with what the flag expects from `Flags` and a pointer to `--help`.
struct CommandLineMistake: CustomStringConvertible {
    let description: String

    init(_ message: String) {
        // "Missing value for '--metrics.ttl <metrics.ttl>'": name the flag alone.
        var cleaned = message.replacingOccurrences(of: #" <[^>]*>"#, with: "", options: .regularExpression)
        if cleaned.hasSuffix(".") { cleaned.removeLast() }
        var text = cleaned.prefix(1).lowercased() + cleaned.dropFirst()
        if let range = cleaned.range(of: #"--[a-z][a-z0-9.-]*"#, options: .regularExpression),
            let flag = Flags.named(String(cleaned[range].dropFirst(2)))
        {
            let expected = flag.expected.isEmpty ? "no value (it is on or off)" : flag.expected
            text += "; \(flag.dashed) expects \(expected)"
        }
        description = text + " (exesdb_exporter --help lists the flags)"
    }
}

/// Everything the exporter runs with, flags over the config file over the defaults.
public struct ExporterSettings: Sendable {
    public var configFile: ConfigFile?
    public var serving: ServingSettings
    public var cluster: ErlangSettings
    /// The `webhooks` section with the `--webhook.spool-dir` flag; nil when no endpoint is configured.
    public var webhooks: WebhookConfiguration?
    /// The BEAM collector's settings; nil when `--no-collector.beam` (or `collector.beam: false`).
    public var beam: BEAMCollectorConfiguration?

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
