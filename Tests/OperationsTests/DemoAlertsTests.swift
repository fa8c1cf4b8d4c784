import BEAMPeers
import Foundation
import Testing

/// The demo as a newcomer runs it (`scripts/run.sh`: the normal profile), with a real Prometheus
/// loading the shipped rules: the only alerts that go pending or fire are the ones the demo
/// provokes on purpose, which docs/operations.md lists with the reason.
@Suite struct DemoAlertsTests {
    /// Long enough for every `for:` of 2 minutes or less to elapse, with time for the conditions
    /// that need a few samples (rates over a window) to have them.
    static let watched = Duration.seconds(150)

    @Test func theDemoRaisesOnlyTheAlertsItProvokesOnPurpose() async throws {
        let deliberate = try DeliberateAlert.listed()
        let alerts = try AlertRulesTests.alerts()
        #expect(deliberate.count >= 2, "docs/operations.md lists \(deliberate.count) alerts")
        for alert in deliberate { #expect(alerts[alert.name] != nil, "docs/operations.md lists \(alert.name)") }
        let webPort = ErlangTools.freePort()
        let swift = try ScriptsTests.SwiftThatMustNotRun()
        defer { swift.remove() }
        let demo = try BackgroundProcess(
            "python3", ["-c", DemoClusterTests.restoreSIGINT, Repository.path("scripts/demo.sh")],
            environment: swift.environment.merging([
                "EXESDB_EXPORTER_BIN": Repository.exporterBinary, "EXESDB_DEMO_WEB_PORT": "\(webPort)",
            ]) { $1 })
        try await withCleanup {
            try await onlyDeliberateAlerts(demo, webPort: webPort, deliberate: deliberate)
        } finally: {
            await demo.interruptThenStop()
        }
        #expect(swift.calls == nil, "scripts/demo.sh with EXESDB_EXPORTER_BIN called Swift: \(swift.calls ?? "")")
    }

    func onlyDeliberateAlerts(_ demo: BackgroundProcess, webPort: Int, deliberate: [DeliberateAlert]) async throws {
        try await demo.waitForLine(containing: "demo running", timeout: .seconds(120))
        for name in DemoCluster.names {
            try await demo.waitForLine(
                containingAll: ["joined the PubSub groups", "peer=\(name)"], timeout: .seconds(60))
        }
        let stack = try await PrometheusStack(target: "127.0.0.1:\(webPort)")
        defer { stack.stop() }
        // The window starts a few evaluations after the first scrape: before it, ExESDBExporterDown's
        // absent(up) holds for Prometheus alone, which has just started.
        let firstScrape = try await poll(timeout: .seconds(30), every: .milliseconds(200)) {
            () async throws -> ContinuousClock.Instant? in
            try await stack.query(#"up{job="exesdb_exporter"} == 1"#).isEmpty ? nil : .now
        }
        let start = try #require(firstScrape, "Prometheus did not scrape the demo's exporter within 30 s") + .seconds(5)
        try await Task.sleep(until: start + Self.watched, clock: .continuous)
        let window = Int(((ContinuousClock.now - start) / .seconds(1)).rounded(.down))
        let seen = try await stack.query("group by (alertname, alertstate) (last_over_time(ALERTS[\(window)s]))").map {
            (
                ($0["metric"] as? [String: String])?["alertname"] ?? "?",
                ($0["metric"] as? [String: String])?["alertstate"] ?? "?"
            )
        }
        let firing = Set(seen.filter { $0.1 == "firing" }.map(\.0))
        let pending = Set(seen.filter { $0.1 == "pending" }.map(\.0))
        let mayFire = Set(deliberate.filter(\.fires).map(\.name))
        let listed = Set(deliberate.map(\.name))
        #expect(
            firing.subtracting(mayFire).isEmpty,
            "fired on the demo, not listed as firing: \(firing.subtracting(mayFire))")
        #expect(pending.subtracting(listed).isEmpty, "pending on the demo, not listed: \(pending.subtracting(listed))")
        // The deliberate ones do fire: the rules, the exporter and Prometheus were all at work.
        #expect(mayFire.subtracting(firing).isEmpty, "listed as firing but never fired: \(mayFire.subtracting(firing))")
        // The URLs come back every minute, so that they do not scroll away.
        let reminders = demo.lines.filter {
            $0.contains("[demo running for") && $0.contains("http://127.0.0.1:\(webPort)/")
        }
        #expect(reminders.count >= 2, "the URLs were printed again \(reminders.count) times in \(window) s")
    }
}

/// A row of docs/operations.md's table "Alerts the demo raises on purpose".
struct DeliberateAlert {
    static let heading = "### Alerts the demo raises on purpose"
    var name: String
    /// `firing`: it fires within the demo's first two minutes; `pending`: it may go pending, and its
    /// `for:` outlasts what provokes it.
    var fires: Bool

    static func listed() throws -> [DeliberateAlert] {
        let text = try Repository.text("docs/operations.md")
        guard let section = text.range(of: heading) else {
            throw ErlangTools.Failure(description: "docs/operations.md has no '\(heading)'")
        }
        let rows = text[section.upperBound...].split(separator: "\n").drop { !$0.hasPrefix("|") }.prefix {
            $0.hasPrefix("|")
        }
        return rows.dropFirst(2).compactMap { row in
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3 else { return nil }
            return DeliberateAlert(name: cells[0], fires: cells[1] == "firing")
        }
    }
}
