import ArgumentParser
import BEAMCollector
import Foundation
import Testing

@testable import ExporterApp

/// `--collector.beam*` over the config file's `collector.beam` (a boolean, or a mapping with
/// enabled, interval and timeout) over the defaults: on, every 15 s, 5 s per call.
@Suite struct CollectorSettingsTests {
    @Test func onByDefaultEvery15sWith5sPerCall() throws {
        let beam = try #require(try resolve([], file: nil).beam)
        #expect(beam.interval == .seconds(15) && beam.timeout == .seconds(5))
        #expect(beam.systemInfoItems == VMItems.systemInfo && beam.statisticsItems == VMItems.statistics)
    }

    @Test func theFileTurnsItOffOrTunesIt() throws {
        #expect(try resolve([], file: "collector: {beam: false}\n").beam == nil)
        #expect(try resolve([], file: "collector: {beam: {enabled: false}}\n").beam == nil)
        let tuned = try #require(try resolve([], file: "collector: {beam: {interval: 1m, timeout: 2s}}\n").beam)
        #expect(tuned.interval == .seconds(60) && tuned.timeout == .seconds(2))
    }

    @Test func flagsWinOverTheFile() throws {
        #expect(try resolve(["--no-collector.beam"], file: "collector: {beam: true}\n").beam == nil)
        let on = try #require(
            try resolve(
                ["--collector.beam", "--collector.beam.interval=30s", "--collector.beam.timeout=500ms"],
                file: "collector: {beam: {enabled: false, interval: 1m}}\n"
            ).beam)
        #expect(on.interval == .seconds(30) && on.timeout == .milliseconds(500))
    }

    @Test func unusableValuesNameTheFlagOrKey() throws {
        #expect(throws: (any Error).self) { try resolve(["--collector.beam.interval=0s"], file: nil) }
        let tooShort = #expect(throws: (any Error).self) {
            try resolve([], file: "collector: {beam: {interval: 500ms}}\n")
        }
        #expect(
            "\(tooShort.map { "\($0)" } ?? "")".contains("collector.beam.interval (--collector.beam.interval)=500ms"))
        let unknown = #expect(throws: (any Error).self) { try resolve([], file: "collector: {beam: {every: 1m}}\n") }
        #expect("\(unknown.map { "\($0)" } ?? "")".contains("unknown key"))
    }

    /// A reload that changes the collector's settings says they wait for a restart.
    @Test func aChangedCollectorTakesEffectAtTheNextRestart() throws {
        let before = try resolve([], file: "collector: {beam: true}\n")
        let after = try resolve([], file: "collector: {beam: false}\n")
        #expect(ReloadService.restartOnlyChanges(from: before, to: after) == ["collector"])
        #expect(ReloadService.restartOnlyChanges(from: before, to: before).isEmpty)
    }

    func resolve(_ arguments: [String], file: String?) throws -> ExporterSettings {
        let path = try file.map { text in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("collector-\(UUID()).yml").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        defer { path.map { try? FileManager.default.removeItem(atPath: $0) } }
        let arguments = ["--erlang.nodes=a@host-1"] + arguments + (path.map { ["--config.file=\($0)"] } ?? [])
        let command = try #require(try ExporterCommand.parseAsRoot(arguments) as? ExporterCommand)
        return try ExporterSettings.resolve(
            configFile: command.configFile, serving: command.serving, erlang: command.erlang,
            subscription: command.subscription, collectors: command.collectors,
            environment: ["ERLANG_COOKIE": "unit-test-cookie"])
    }
}
