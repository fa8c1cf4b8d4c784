import ErlangDistribution
import ExporterConfiguration
import ExporterHTTP
import Foundation
import MetricsStore
import Testing
import WebhookForwarder

@testable import ExporterApp

/// The modules name their settings by their own names; what the operator reads names the flag
/// to change, through the one mapping (`SettingNames`).
@Suite struct SettingNamesTests {
    @Test func everyModuleSettingIsWrittenAsTheFlagThatSetsIt() throws {
        #expect(SettingNames.words.count == 20, "one pair per case of the modules' setting enums")
        for word in SettingNames.words {
            #expect(SettingNames.userWords("raise \(word.own) now") == "raise \(word.flag) now")
            let flag = try #require(Flags.named(String(word.flag.dropFirst(2))), "\(word.flag) is not a flag")
            #expect(flag.dashed == word.flag)
        }
        #expect(Set(SettingNames.words.map(\.own)).count == SettingNames.words.count)
        #expect(SettingNames.userWords("nothing to map here") == "nothing to map here")
    }

    @Test func theModulesMessagesReachTheOperatorWithTheFlag() {
        let cases: [(message: String, flag: String)] = [
            ("\(DistributionError.frameTooLarge(node: "a@h", size: 9000, limit: 4096))", "--erlang.max-frame-size"),
            ("\(DistributionError.nameInUse(name: "x", host: "h"))", "choose another --erlang.name"),
            ("\(DistributionError.nodeNotRegistered(alive: "a", host: "h"))", "check the name in --erlang.nodes"),
            ("\(DistributionError.cookieMismatch(node: "a@h"))", "(--erlang.cookie-file or ERLANG_COOKIE)"),
            ("\(NodeName.LocalNameError.noQualifiedHost("h"))", "set --erlang.name=exesdb_exporter@"),
            ("\(Cookie.LoadError.unreadable(path: "/c", reason: "gone"))", "set --erlang.cookie-file or ERLANG_COOKIE"),
            ("\(ExporterHTTPError.addressInUse(address: ":9"))", "address already in use: --web.listen-address=:9"),
            (
                "\(ExporterHTTPError.invalidLimit(setting: .maxConnections, reason: "x"))",
                "invalid --web.max-connections"
            ),
            ("\(ConfigFileError.cannotRead(path: "/c.yml"))", "(check --config.file and"),
            ("\(WebhookSetting.spoolDirectory)", "--webhook.spool-dir"),
        ]
        for (message, flag) in cases {
            #expect(!message.contains("--"), "the module names a flag: \(message)")
            #expect(SettingNames.userWords(message).contains(flag), "\(SettingNames.userWords(message))")
        }
    }

    /// The store's own families, made as the executable makes the store, say which flag to raise.
    @Test func theStoresHelpNamesTheFlags() {
        let store = MetricsStore(settingNames: { SettingNames.flag(for: $0).dashed })
        let text = String(decoding: store.render(.prometheusText), as: UTF8.self)
        #expect(text.contains("because --metrics.max-series was reached."), "\(text)")
        #expect(text.contains("not updated for --metrics.ttl."), "\(text)")
    }

    /// No module below the application writes a flag into a message: only ExporterApp (and the
    /// executable) know the flags. Comments may name them.
    @Test func noModuleBelowTheApplicationNamesAFlag() throws {
        let sources = FlagTableTests.repository.appendingPathComponent("Sources")
        // The application, the executable, and test support that runs the binary with its flags.
        let aboveOrAside: Set = ["ExporterApp", "exesdb_exporter", "BEAMPeers"]
        var found: [String] = []
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources.path)
        for module in modules.sorted() where !aboveOrAside.contains(module) {
            let folder = sources.appendingPathComponent(module)
            let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//")
                {
                    for flag in Flags.all where line.contains(flag.dashed) {
                        found.append("\(module)/\(file): \(flag.dashed)")
                    }
                }
            }
        }
        #expect(modules.contains("ErlangDistribution") && modules.contains("MetricsStore"), "\(modules)")
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }
}
