import BEAMPeers
import ExporterConfiguration
import Foundation
import Testing
import WebhookForwarder

/// The deployment files: the systemd unit with systemd-analyze, the Prometheus and Alertmanager
/// examples with promtool and amtool, Kubernetes and Grafana files parsed, flags against --help.
/// The systemd unit's config file parsed and run. Docker and Kubernetes themselves cannot run on
/// this machine (see deploy/README.md).
@Suite struct DeployTests {
    static let unit = "deploy/systemd/exesdb_exporter.service"

    /// The unit with ExecStart pointing at the built binary (verify checks that it is executable).
    func unitUsingTheBuiltBinary() throws -> (directory: String, path: String) {
        #expect(FileManager.default.isExecutableFile(atPath: Repository.exporterBinary), "build first: swift build")
        let directory = try Repository.temporaryDirectory("systemd")
        let text = try Repository.text(Self.unit)
            .replacingOccurrences(of: "/usr/local/bin/exesdb_exporter", with: Repository.exporterBinary)
        let path = "\(directory)/exesdb_exporter.service"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (directory, path)
    }

    @Test func systemdUnitPassesVerify() async throws {
        let (directory, path) = try unitUsingTheBuiltBinary()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await Tool.run("systemd-analyze", package: "systemd", ["verify", path])
        // verify exits 0 on unknown keys too, with a warning: any output is a finding.
        #expect(result.status == 0 && result.output.isEmpty, "\(result.output)")
    }

    @Test func systemdUnitIsHardened() async throws {
        let (directory, path) = try unitUsingTheBuiltBinary()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await Tool.run("systemd-analyze", package: "systemd", ["security", "--offline=yes", path])
        let level = result.output.firstMatch(of: /Overall exposure level for [^:]+: ([0-9.]+)/)
            .flatMap { Double($0.output.1) }
        #expect((level ?? .infinity) <= 2.0, "exposure level \(String(describing: level)): \(result.output)")
        let unit = try Repository.text(Self.unit)
        for setting in [
            "User=exesdb_exporter", "NoNewPrivileges=yes", "ProtectSystem=strict", "LoadCredential=erlang_cookie:",
            "LoadCredential=secret_key_base:", "EnvironmentFile=",
        ] {
            #expect(unit.contains(setting), "the unit lacks \(setting)")
        }
        #expect(!unit.contains("ERLANG_COOKIE=") && !unit.contains("SECRET_KEY_BASE="), "secrets inline in the unit")
    }

    static let systemdConfig = "deploy/systemd/exesdb_exporter.yml"

    /// The config file the unit's --config.file names passes the exporter's parser and the
    /// forwarder's as shipped, and with every setting left commented out (`#` and no space)
    /// uncommented; a misspelt key fails.
    @Test func systemdConfigPassesTheExportersParser() async throws {
        let text = try Repository.text(Self.systemdConfig)
        #expect(try Repository.text(Self.unit).contains("--config.file=/etc/exesdb_exporter/exesdb_exporter.yml"))
        let shipped = try ConfigFile.parse(text, path: Self.systemdConfig)
        #expect(shipped.settings.erlang?.nodes?.count == 2)
        #expect(try shipped.section("webhooks", as: WebhookConfiguration.self)?.endpoints.isEmpty == true)
        let uncommented = Self.uncommentingSettings(text)
        #expect(uncommented != text)
        let everything = try ConfigFile.parse(uncommented, path: Self.systemdConfig)
        #expect(everything.settings.erlang?.tls?.caFile != nil && everything.settings.erlang?.name != nil)
        #expect(everything.settings.web?.configFile != nil)
        let webhooks = try everything.section("webhooks", as: WebhookConfiguration.self)
        #expect(webhooks?.endpoints.map(\.format) == [.alertmanagerAPI])
        let misspelt = text.replacingOccurrences(of: "  max_series: 100000", with: "  max_serie: 100000")
        #expect(misspelt != text)
        #expect(throws: ConfigFileError.self) { try ConfigFile.parse(misspelt, path: Self.systemdConfig) }
    }

    /// A commented-out setting starts with `#` and no space; the lines after it with `#` in the same
    /// column belong to it (`#tls:` then `#  ca_file: ...`). "# " starts an explanation.
    static func uncommentingSettings(_ text: String) -> String {
        var block: String?
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if let start = line.firstMatch(of: /^(\s*)#(\S)/) {
                block = String(start.output.1)  // a setting: a block starts
            } else if let indent = block, !line.hasPrefix(indent + "#") {
                block = nil  // the block ended
            }
            guard block != nil else { return String(line) }
            let column = line.index(line.startIndex, offsetBy: block?.count ?? 0)
            return String(line[..<column] + line[line.index(after: column)...])
        }.joined(separator: "\n")
    }

    @Test func uncommentingTakesBlocksAndLeavesExplanations() {
        let text = "a:\n  # why\n  #b: 1\n  #c:\n  #  d: 2\n\n  # e: no\n"
        #expect(Self.uncommentingSettings(text) == "a:\n  # why\n  b: 1\n  c:\n    d: 2\n\n  # e: no\n")
    }

    /// The built exporter starts with that file as the unit starts it (secrets as files, the spool
    /// elsewhere), serves /-/healthy although the example's nodes do not exist, and stops on SIGTERM.
    @Test func theExporterStartsWithTheSystemdConfig() async throws {
        let directory = try Repository.temporaryDirectory("systemd-config")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, value) in [("erlang_cookie", "cookie-\(UUID().uuidString)"), ("secret_key_base", UUID().uuidString)]
        {
            try value.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(directory)/\(name)")
        }
        let port = ErlangTools.freePort()
        let exporter = try BackgroundProcess(
            Repository.exporterBinary,
            [
                "--config.file=\(Repository.path(Self.systemdConfig))",
                "--erlang.cookie-file=\(directory)/erlang_cookie",
                "--security.secret-key-base-file=\(directory)/secret_key_base",
                "--webhook.spool-dir=\(directory)/spool",
                "--web.listen-address=127.0.0.1:\(port)",
                // The example's nodes have long names; this host may have no domain to make one.
                "--erlang.name=exesdb_exporter_systemd@127.0.0.1",
            ])
        defer { exporter.stopNow() }
        let healthy = try await poll(timeout: .seconds(30), every: .milliseconds(200)) { () async -> Bool? in
            (try? await PrometheusStack.get("http://127.0.0.1:\(port)/-/healthy")) != nil ? true : nil
        }
        #expect(healthy == true, "no /-/healthy within 30 s: \(exporter.lines.suffix(10))")
        exporter.signal(SIGTERM)
        #expect(try await exporter.waitForExit(timeout: .seconds(20)) == 0, "\(exporter.lines.suffix(10))")
    }

    @Test func prometheusExampleIsValidWithTheShippedRules() async throws {
        let directory = try Repository.temporaryDirectory("prometheus")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: "\(directory)/rules", withIntermediateDirectories: true)
        for rules in ["recording_rules.yml", "alerting_rules.yml"] {
            try FileManager.default.copyItem(
                atPath: Repository.path("alerts/\(rules)"), toPath: "\(directory)/rules/\(rules)")
        }
        try FileManager.default.copyItem(
            atPath: Repository.path("deploy/prometheus/prometheus.yml"), toPath: "\(directory)/prometheus.yml")
        let result = try await Tool.run(
            "promtool", package: "prometheus", ["check", "config", "\(directory)/prometheus.yml"])
        #expect(result.status == 0, "\(result.output)")
        #expect(try Repository.text("deploy/prometheus/prometheus.yml").contains("job_name: exesdb_exporter"))
    }

    @Test func alertmanagerExampleIsValid() async throws {
        let result = try await Tool.run(
            "amtool", package: "prometheus-alertmanager",
            ["check-config", Repository.path("deploy/alertmanager/alertmanager.yml")])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func grafanaProvisioningParses() async throws {
        let sources = try Repository.yaml("deploy/grafana/provisioning/datasources/exesdb.yml")
        #expect((sources["datasources"] as? [[String: Any]])?.first?["type"] as? String == "prometheus")
        let providers = try Repository.yaml("deploy/grafana/provisioning/dashboards/exesdb.yml")
        #expect((providers["providers"] as? [[String: Any]])?.first?["type"] as? String == "file")
    }

    /// The flags the deploy files and the demo pass exist in the built binary's --help. Until the
    /// /metrics, config-file and webhook flags are merged, this fails and names them.
    @Test func deployFilesUseOnlyFlagsTheBinaryHas() async throws {
        let help = try await Exporter.help()
        let known = exporterFlags(in: help)
        #expect(known.contains("--erlang.nodes"), "unexpected --help output: \(help)")
        #expect(known.isSuperset(of: ["--cluster.discover", "--no-cluster.discover"]), "switches: \(known.sorted())")
        let files =
            [
                Self.unit, "deploy/systemd/exesdb_exporter.env", Self.systemdConfig, "deploy/docker/Dockerfile",
                "scripts/demo.sh",
            ]
            // The PrometheusRule only mentions flags in alert descriptions: it passes none.
            + (try Repository.files(in: "deploy/kubernetes", ending: ".yaml")).filter {
                !$0.hasSuffix("prometheusrule.yaml")
            }
            + (try Repository.files(in: "deploy/kubernetes/sharded", ending: ".yaml"))
        for file in files {
            let unknown = exporterFlags(in: try Repository.text(file)).subtracting(known)
            #expect(unknown.isEmpty, "\(file) passes flags the binary does not have: \(unknown.sorted())")
        }
    }
}

/// The built exporter binary.
enum Exporter {
    /// `exesdb_exporter --help` of the debug build.
    static func help() async throws -> String {
        try await Tool.run(Repository.exporterBinary, package: "(swift build)", ["--help"]).output
    }
}
