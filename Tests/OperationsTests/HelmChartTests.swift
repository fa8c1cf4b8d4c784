import BEAMPeers
import ExporterConfiguration
import Foundation
import Testing
import WebhookForwarder

/// deploy/helm/exesdb-exporter with the real Helm (scripts/install-deps.sh test installs it):
/// `helm lint --strict` for the default values and a sharded, TLS values set (ci/), and `helm
/// template` for both, whose manifests go through the plain manifests' checks (KubernetesTests)
/// and the chart's own: rules and dashboards as shipped, the NetworkPolicy's ports, the shards.
/// Nothing is applied to a cluster (see deploy/README.md).
@Suite struct HelmChartTests {
    static let chart = "deploy/helm/exesdb-exporter"
    static let shardedTLSValues = "\(chart)/ci/sharded-tls-values.yaml"

    @Test(arguments: [nil, shardedTLSValues]) func helmLintIsClean(_ values: String?) async throws {
        let result = try await Helm.run(["lint", "--strict", Repository.path(Self.chart)] + Helm.values(values))
        #expect(result.status == 0, "\(result.output)")
        #expect(!result.output.contains("[WARNING]") && !result.output.contains("[ERROR]"), "\(result.output)")
    }

    @Test func theDefaultRenderingIsThePlainManifestsDeployment() async throws {
        let kinds = try await Helm.template()
        #expect(Set(kinds.keys) == ["ConfigMap", "Deployment", "Service"], "\(kinds.keys.sorted())")
        let deployment = try #require(kinds["Deployment"]?.first)
        let references = KubernetesTests.checkContainer(of: deployment)
        #expect(references.map { $0["name"] as? String } == ["exesdb-exporter-secrets", "exesdb-exporter-secrets"])
        #expect(references.map { $0["key"] as? String } == ["erlang_cookie", "secret_key_base"])
        let arguments = KubernetesTests.container(deployment)["args"] as? [String] ?? []
        #expect(!arguments.contains { $0.hasPrefix("--cluster.shard") } && !arguments.contains { $0.contains("tls") })
        try Self.checkExporterConfig(kinds, nodes: 2, endpoints: 0)
        try await Self.checkFlags(kinds)
    }

    @Test func theShardedTLSRenderingHasEveryPieceWired() async throws {
        let kinds = try await Helm.template(values: Self.shardedTLSValues)
        #expect(
            Set(kinds.keys) == [
                "ConfigMap", "Deployment", "Service", "ServiceMonitor", "PrometheusRule", "NetworkPolicy", "Secret",
                "PersistentVolumeClaim",
            ], "\(kinds.keys.sorted())")
        KubernetesTests.checkServiceMonitorServiceAndDeployments(kinds)
        let deployments = kinds["Deployment"] ?? []
        #expect(deployments.count == 2)
        var shards: Set<String> = []
        var names: Set<String> = []
        for deployment in deployments {
            let references = KubernetesTests.checkContainer(of: deployment, tcpProbes: true)
            #expect(references.map { $0["name"] as? String } == ["ex-esdb-erlang", "ex-esdb-phoenix"])
            let arguments = KubernetesTests.container(deployment)["args"] as? [String] ?? []
            shards.formUnion(arguments.filter { $0.hasPrefix("--cluster.shard=") })
            names.formUnion(arguments.filter { $0.hasPrefix("--erlang.name=") })
            for flag in [
                "--web.config.file=", "--erlang.tls.ca-file=", "--erlang.tls.cert-file=", "--erlang.tls.key-file=",
            ] {
                #expect(arguments.contains { $0.hasPrefix(flag) }, "no \(flag) in \(arguments)")
            }
        }
        #expect(shards == ["--cluster.shard=0/2", "--cluster.shard=1/2"])
        #expect(names.count == 2, "each shard its own node name: \(names)")
        try Self.checkExporterConfig(kinds, nodes: 2, endpoints: 1)
        try await Self.checkFlags(kinds)
        try Self.checkRulesAndDashboards(kinds)
        Self.checkNetworkPolicies(kinds["NetworkPolicy"] ?? [])
        let webConfig = try #require(
            (kinds["Secret"]?.first?["stringData"] as? [String: Any])?["web.yml"] as? String, "no web config Secret")
        let parsed = try #require(try Repository.yamlDocuments(inline: webConfig).first as? [String: Any])
        #expect(parsed["basic_auth_users"] != nil && parsed["tls_server_config"] != nil, "\(parsed)")
    }

    /// The ConfigMap's exesdb_exporter.yml passes the exporter's parser and the forwarder's.
    static func checkExporterConfig(_ kinds: [String: [[String: Any]]], nodes: Int, endpoints: Int) throws {
        let config = try KubernetesTests.exporterConfig(in: kinds)
        let file = try ConfigFile.parse(config, path: "the chart's ConfigMap")
        #expect(file.settings.erlang?.nodes?.count == nodes)
        #expect(try file.section("webhooks", as: WebhookConfiguration.self)?.endpoints.count ?? 0 == endpoints)
    }

    /// Every flag the Deployments pass exists in the built binary's --help.
    static func checkFlags(_ kinds: [String: [[String: Any]]]) async throws {
        let known = exporterFlags(in: try await Exporter.help())
        for deployment in kinds["Deployment"] ?? [] {
            let arguments = (KubernetesTests.container(deployment)["args"] as? [String] ?? []).joined(separator: " ")
            let unknown = exporterFlags(in: arguments).subtracting(known)
            #expect(unknown.isEmpty, "the chart passes flags the binary does not have: \(unknown.sorted())")
        }
    }

    /// The PrometheusRule holds exactly the shipped rules; one ConfigMap per shipped dashboard,
    /// labelled for the sidecar, holds it unchanged.
    static func checkRulesAndDashboards(_ kinds: [String: [[String: Any]]]) throws {
        let shipped =
            (try Repository.yaml("alerts/recording_rules.yml")["groups"] as? [Any] ?? [])
            + (try Repository.yaml("alerts/alerting_rules.yml")["groups"] as? [Any] ?? [])
        let rule = try #require(kinds["PrometheusRule"]?.first)
        #expect(try canonicalJSON((rule["spec"] as? [String: Any])?["groups"] ?? []) == canonicalJSON(shipped))
        var dashboards: [String: Any] = [:]
        for map in kinds["ConfigMap"] ?? [] {
            let labels = (map["metadata"] as? [String: Any])?["labels"] as? [String: String] ?? [:]
            guard labels["grafana_dashboard"] == "1" else { continue }
            for case (let name, let text as String) in map["data"] as? [String: Any] ?? [:] {
                dashboards[name] = try JSONSerialization.jsonObject(with: Data(text.utf8))
            }
        }
        let files = try Repository.files(in: "dashboards", ending: ".json")
        #expect(Set(dashboards.keys) == Set(files.map { URL(fileURLWithPath: $0).lastPathComponent }))
        for file in files {
            let name = URL(fileURLWithPath: file).lastPathComponent
            #expect(
                try canonicalJSON(dashboards[name] ?? [:]) == canonicalJSON(Repository.json(file)),
                "the chart's \(name) is not dashboards/\(name)")
        }
    }

    /// The exporter's pods may reach the ExESDB pods on EPMD (4369) and the distribution range,
    /// and the policy on the ExESDB side lets them in on the same ports.
    static func checkNetworkPolicies(_ policies: [[String: Any]]) {
        let exesdbPods = try? canonicalJSON(["matchLabels": ["app.kubernetes.io/name": "ex-esdb"]])
        let isExESDB = { (selector: Any?) in selector.flatMap { try? canonicalJSON($0) } == exesdbPods }
        func ports(_ rules: Any?) -> Set<String> {
            Set(
                (rules as? [[String: Any]] ?? []).flatMap { $0["ports"] as? [[String: Any]] ?? [] }.map { port in
                    let from = "\(port["port"] ?? "")"
                    return port["endPort"].map { "\(from)-\($0)" } ?? from
                })
        }
        let specs = policies.map { $0["spec"] as? [String: Any] ?? [:] }
        let exporterSide = specs.filter { !isExESDB($0["podSelector"]) }
        let exesdbSide = specs.filter { isExESDB($0["podSelector"]) }
        #expect(exporterSide.count == 1 && exesdbSide.count == 1, "\(specs)")
        for spec in exporterSide {
            let toExESDB = (spec["egress"] as? [[String: Any]] ?? []).filter { rule in
                (rule["to"] as? [[String: Any]] ?? []).contains { isExESDB($0["podSelector"]) }
            }
            #expect(ports(toExESDB) == ["4369", "9100-9155"], "egress to the ExESDB pods: \(toExESDB)")
            #expect(ports(spec["ingress"]) == ["metrics"], "ingress: \(spec["ingress"] ?? "none")")
        }
        for spec in exesdbSide {
            #expect(spec["policyTypes"] as? [String] == ["Ingress"])
            #expect(ports(spec["ingress"]) == ["4369", "9100-9155"], "ingress to the ExESDB pods: \(spec)")
        }
    }
}

/// The Helm binary: on PATH, or where scripts/install-deps.sh test puts it.
enum Helm {
    static let version = "v4.1.4"

    static func binary() throws -> String {
        if let path = try? Tool.locate("helm", package: "helm") { return path }
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["XDG_CACHE_HOME"] ?? "\(environment["HOME"] ?? "/root")/.cache"
        let installed = "\(cache)/exesdb_exporter/helm-\(version)/helm"
        guard FileManager.default.isExecutableFile(atPath: installed) else {
            throw ErlangTools.Failure(
                description: "helm is not on PATH nor at \(installed): run scripts/install-deps.sh test")
        }
        return installed
    }

    static func values(_ file: String?) -> [String] {
        file.map { ["--values", Repository.path($0)] } ?? []
    }

    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await ErlangTools.run(try binary(), arguments)
    }

    /// `helm template` of the chart (release `exesdb-exporter` in namespace `monitoring`), by kind.
    static func template(values: String? = nil) async throws -> [String: [[String: Any]]] {
        let result = try await run(
            ["template", "exesdb-exporter", Repository.path(HelmChartTests.chart), "--namespace", "monitoring"]
                + Self.values(values))
        guard result.status == 0 else {
            throw ErlangTools.Failure(description: "helm template failed: \(result.output)")
        }
        let documents = try Repository.yamlDocuments(inline: result.output).filter { !($0 is NSNull) }
        return KubernetesTests.byKind(documents, source: "helm template \(values ?? "(default values)")")
    }
}
