import ArgumentParser
import ExporterConfiguration
import Foundation
import Testing
import WebhookForwarder

@testable import ExporterApp

/// `Flags` is the one table of the flags: argument-parser declares exactly its flags, the help
/// page shows each with its default, docs/configuration.md lists each, and each config key is one
/// the config file reads (and each key the file reads is a flag's or one no flag can carry).
@Suite struct FlagTableTests {
    @Test func argumentParserDeclaresExactlyTheTablesFlags() {
        let help = ExporterCommand.helpMessage(columns: 400)
        // Each option's line starts with its name: `  --erlang.listen/--no-erlang.listen`, `  -h, --help`.
        let declared = Set(
            help.split(separator: "\n").compactMap { line in
                line.firstMatch(of: /^\s+(?:-[a-z], )?--([a-z][a-z0-9.-]*[a-z0-9])/).map { String($0.output.1) }
            })
        #expect(declared.count > 20, "\(help)")
        #expect(declared == Set(Flags.all.map(\.name)), "\(declared.symmetricDifference(Flags.all.map(\.name)))")
        #expect(Set(Flags.all.map(\.name)).count == Flags.all.count, "a flag is in the table twice")
    }

    @Test func theHelpPageShowsEveryFlagWithItsUsageAndText() {
        let lines = HelpPage.render().split(separator: "\n").map(String.init)
        for flag in Flags.all {
            let line = lines.first { $0.contains(" \(flag.usage) ") }
            #expect(line?.hasSuffix("  \(flag.text)") == true, "\(flag.usage) is not on the help page")
            #expect(!flag.text.isEmpty)
        }
    }

    @Test func docsConfigurationListsEveryFlag() throws {
        let page = try String(
            contentsOf: Self.repository.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        for flag in Flags.all where flag.name != Flags.help.name && flag.name != Flags.version.name {
            #expect(page.contains("`\(flag.dashed)`"), "docs/configuration.md does not list \(flag.dashed)")
        }
    }

    @Test func everyConfigKeyIsOneTheFileReads() throws {
        let fileKeys = Set(ExporterFileSettings.keys)
        for flag in Flags.all {
            guard let key = flag.configKey else { continue }
            if key.hasPrefix("\(FileOnlyKey.webhooks).") { continue }  // The forwarder's section: below.
            #expect(fileKeys.contains(key), "\(flag.dashed)'s key \(key) is not a key of the config file")
        }
        // The one flag into the webhooks section: its key is read there.
        let key = try #require(Flags.spoolDirectory.flag.configKey?.split(separator: ".").last)
        let file = try ConfigFile.parse("webhooks:\n  \(key): /var/spool/x\n", path: "flags.yml")
        #expect(try file.section(FileOnlyKey.webhooks, as: WebhookConfiguration.self)?.spoolDirectory == "/var/spool/x")
    }

    @Test func everyKeyTheFileReadsIsAFlagsOrOneNoFlagCarries() {
        let keys = ExporterFileSettings.keys
        let leaves = keys.filter { key in !keys.contains { $0.hasPrefix("\(key).") } }
        let known = Set(Flags.all.compactMap(\.configKey) + Flags.fileOnlyKeys)
        for key in leaves { #expect(known.contains(key), "the config file reads \(key), which no flag sets") }
        for key in Flags.fileOnlyKeys { #expect(keys.contains(key), "\(key) is not a key of the config file") }
    }

    /// Every default resolves as it is, and is what the module that owns the setting defaults to.
    @Test func theDefaultsPassTheirOwnChecks() throws {
        #expect(try Flags.maxFrameSize.resolve(nil, file: nil) == 64 << 20)
        #expect(try Flags.netTickTime.resolve(nil, file: nil) == .seconds(60))
        #expect(try Flags.telemetryPath.resolve(nil, file: nil) == "/metrics")
        #expect(Flags.listenAddress.resolve([], file: nil) == [":9571"])
        #expect(try Flags.scope.resolve(nil, file: nil) == "Elixir.Phoenix.PubSub")
        for flag in [Flags.readHeaderTimeout, Flags.idleTimeout, Flags.ttl, Flags.refreshInterval] {
            #expect(throws: Never.self) { try flag.resolve(nil, file: nil) }
        }
        #expect(throws: Never.self) { try Flags.poolSize.resolve(nil, file: nil) }
        #expect(throws: Never.self) { try Flags.shard.resolve(nil, fileText: nil) }
    }

    /// The config key is the flag's words in snake case under their prefix, unless the table says.
    @Test func configKeys() {
        #expect(Flags.maxFrameSize.flag.configKey == "erlang.max_frame_size")
        #expect(Flags.tlsInsecure.flag.configKey == "erlang.tls.insecure_skip_verify")
        #expect(Flags.webConfigFile.flag.configKey == "web.config_file")
        #expect(Flags.spoolDirectory.flag.configKey == "webhooks.spool_dir")
        #expect(Flags.configFile.flag.configKey == nil && Flags.help.configKey == nil)
        #expect(Flags.maxFrameSize.flag.origin == "erlang.max_frame_size (--erlang.max-frame-size)")
    }

    /// The repository's root, from this file's path.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
}
