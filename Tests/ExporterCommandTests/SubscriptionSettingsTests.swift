import ArgumentParser
import Foundation
import Testing

@testable import ExporterApp
@testable import GaterMessages

/// The `--pubsub.topics` filters and the SECRET_KEY_BASE sources, resolved as the binary resolves
/// them: flags over the config file, the secret file over the environment.
@Suite struct SubscriptionSettingsTests {
    /// The topics of each followed bus, nil where the bus is not filtered.
    func filters(_ settings: ExporterSettings) -> [String: Set<String>?] {
        Dictionary(uniqueKeysWithValues: settings.cluster.pubsub.buses.map { ($0.name, $0.topics) })
    }

    @Test func topicFlagsFilterTheirBusesOnlyAndWinOverTheFile() throws {
        let settings = try resolve(
            [
                "--pubsub.topics=ex_esdb_metrics:latency", "--pubsub.topics=ex_esdb_metrics:throughput",
                "--pubsub.topics=ex_esdb_alerts:critical",
            ], file: "pubsub: {topics: {ex_esdb_health: [\"cluster:health\"]}}\n")
        #expect(
            filters(settings) == [
                "ex_esdb_metrics": ["latency", "throughput"], "ex_esdb_health": nil, "ex_esdb_alerts": ["critical"],
            ])
    }

    @Test func topicsFromTheFileFilterTheirBusesOnly() throws {
        let settings = try resolve(
            [], file: "pubsub: {topics: {ex_esdb_health: [\"cluster:health\", \"store:health\"]}}\n")
        #expect(
            filters(settings) == [
                "ex_esdb_metrics": nil, "ex_esdb_health": ["cluster:health", "store:health"], "ex_esdb_alerts": nil,
            ])
        // A topic holding a colon keeps everything after the bus's colon.
        let flagged = try resolve(["--pubsub.topics=ex_esdb_health:store:health"], file: nil)
        #expect(filters(flagged)["ex_esdb_health"] == ["store:health"])
        #expect(filters(try resolve([], file: nil)).values.allSatisfy { $0 == nil })
    }

    @Test(arguments: [
        (["--pubsub.topics=latency"], nil as String?, "--pubsub.topics=latency: expected bus:topic"),
        (["--pubsub.topics=ex_esdb_metrics:"], nil, "--pubsub.topics=ex_esdb_metrics:: expected bus:topic"),
        (["--pubsub.topics=other_bus:x"], nil, "--pubsub.topics=other_bus:x: expected bus:topic with a bus from"),
        ([], "pubsub: {topics: {other_bus: [x]}}\n", "pubsub.topics.other_bus: not one of the buses followed"),
    ])
    func topicFiltersForBusesNotFollowedAreNamed(arguments: [String], file: String?, message: String) throws {
        #expect {
            _ = try resolve(arguments, file: file)
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }

    /// The three default buses; `--pubsub.buses` names the ones followed instead; all nine with
    /// `--pubsub.all-buses` or `pubsub.all_buses`, after any named (a bus of another name too).
    @Test func theDefaultBusesTheNamedOnesOrAllNine() throws {
        let names = { (settings: ExporterSettings) in settings.cluster.pubsub.buses.map(\.name) }
        let nine = [
            "ex_esdb_system", "ex_esdb_health", "ex_esdb_metrics", "ex_esdb_lifecycle", "ex_esdb_alerts",
            "ex_esdb_audit", "ex_esdb_diagnostics", "ex_esdb_security", "ex_esdb_logging",
        ]
        #expect(names(try resolve([], file: nil)) == ["ex_esdb_metrics", "ex_esdb_health", "ex_esdb_alerts"])
        #expect(names(try resolve(["--pubsub.buses=ex_esdb_security"], file: nil)) == ["ex_esdb_security"])
        #expect(names(try resolve(["--pubsub.all-buses"], file: nil)) == nine)
        #expect(names(try resolve([], file: "pubsub: {all_buses: true}\n")) == nine)
        #expect(names(try resolve(["--no-pubsub.all-buses"], file: "pubsub: {all_buses: true}\n")).count == 3)
        let mixed = names(
            try resolve(["--pubsub.all-buses", "--pubsub.buses=ex_esdb_logging", "--pubsub.buses=my_bus"], file: nil))
        #expect(
            mixed.prefix(2) == ["ex_esdb_logging", "my_bus"] && Set(mixed) == Set(nine + ["my_bus"])
                && mixed.count == 10)
        // A topic filter may name any of the nine once all are followed.
        let filtered = try resolve(["--pubsub.all-buses", "--pubsub.topics=ex_esdb_security:auth_events"], file: nil)
        #expect(filters(filtered)["ex_esdb_security"] == ["auth_events"])
    }

    @Test func theSecretFileWinsOverTheEnvironment() throws {
        let path = try temporaryFile("  from-the-file\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let environment = ["SECRET_KEY_BASE": "from-the-environment"]
        let flagged = try resolve(["--security.secret-key-base-file=\(path)"], file: nil, environment: environment)
        #expect(flagged.cluster.secret?.bytes == Array("from-the-file".utf8))
        let filed = try resolve(
            [], file: "security: {secret_key_base_file: \(path)}\n", environment: environment)
        #expect(filed.cluster.secret?.bytes == Array("from-the-file".utf8))
        let fromEnvironment = try resolve([], file: nil, environment: environment)
        #expect(fromEnvironment.cluster.secret?.bytes == Array("from-the-environment".utf8))
        #expect(try resolve([], file: nil).cluster.secret == nil)
    }

    /// An unusable secret file is an error naming the file, never its content.
    @Test func anUnusableSecretFileIsNamedNotEchoed() throws {
        let empty = try temporaryFile(" \n")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let environment = ["SECRET_KEY_BASE": "from-the-environment"]
        #expect {
            _ = try resolve(["--security.secret-key-base-file=\(empty)"], file: nil, environment: environment)
        } throws: { error in
            "\(error)" == "--security.secret-key-base-file=\(empty): the file is empty"
        }
        #expect {
            _ = try resolve(
                ["--security.secret-key-base-file=/nonexistent/secret"], file: nil, environment: environment)
        } throws: { error in
            "\(error)" == "--security.secret-key-base-file=/nonexistent/secret: cannot read the file"
        }
    }

    func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID())").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Parses `arguments` as the binary does and resolves them over `file` and `environment`.
    func resolve(_ arguments: [String], file: String?, environment: [String: String] = [:]) throws -> ExporterSettings {
        let path = try file.map { text in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID()).yml").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        defer { path.map { try? FileManager.default.removeItem(atPath: $0) } }
        let arguments = ["--erlang.nodes=a@host-1"] + arguments + (path.map { ["--config.file=\($0)"] } ?? [])
        let command = try #require(try ExporterCommand.parseAsRoot(arguments) as? ExporterCommand)
        return try ExporterSettings.resolve(
            configFile: command.configFile, serving: command.serving, erlang: command.erlang,
            subscription: command.subscription,
            environment: environment.merging(["ERLANG_COOKIE": "unit-test-cookie"]) { $1 })
    }
}
