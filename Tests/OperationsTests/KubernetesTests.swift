import ExporterConfiguration
import Foundation
import Testing
import WebhookForwarder

/// The Kubernetes manifests of deploy/kubernetes, parsed (nothing applies them here; see
/// deploy/README.md): the pieces a deployment needs, the wiring between them, the generated files
/// in sync, and the ConfigMap's config file accepted by the exporter's own parser. The Helm chart's
/// renderings go through the same checks (HelmChartTests).
@Suite struct KubernetesTests {
    /// Every document of every manifest, by kind.
    static func manifests() throws -> [String: [[String: Any]]] {
        var kinds: [String: [[String: Any]]] = [:]
        for file in try Repository.files(in: "deploy/kubernetes", ending: ".yaml")
            + Repository.files(in: "deploy/kubernetes/sharded", ending: ".yaml")
        {
            kinds.merge(try byKind(Repository.yamlDocuments(file), source: file)) { $0 + $1 }
        }
        return kinds
    }

    /// Documents by kind; each must have an apiVersion.
    static func byKind(_ documents: [Any], source: String) -> [String: [[String: Any]]] {
        var kinds: [String: [[String: Any]]] = [:]
        for case let document as [String: Any] in documents {
            #expect(document["apiVersion"] is String, "\(source): apiVersion")
            kinds[document["kind"] as? String ?? "?", default: []].append(document)
        }
        return kinds
    }

    @Test func manifestsParseWithTheRequiredPieces() async throws {
        let kinds = try Self.manifests()
        #expect(
            Set(kinds.keys) == ["Deployment", "Service", "ServiceMonitor", "PrometheusRule", "ConfigMap", "Secret"])
        let deployments = kinds["Deployment"] ?? []
        #expect(deployments.count == 3, "one Deployment and two shards")
        let secret = try #require(kinds["Secret"]?.first)
        let secretName = (secret["metadata"] as? [String: Any])?["name"] as? String
        let secretKeys = Set((secret["stringData"] as? [String: Any] ?? [:]).keys)
        for deployment in deployments {
            for reference in Self.checkContainer(of: deployment) {
                #expect(reference["name"] as? String == secretName, "secretKeyRef \(reference): not the example Secret")
                #expect(
                    secretKeys.contains(reference["key"] as? String ?? ""), "secretKeyRef \(reference): no such key")
            }
        }
        let shards = deployments.flatMap { Self.container($0)["args"] as? [String] ?? [] }.filter {
            $0.hasPrefix("--cluster.shard=")
        }
        #expect(Set(shards) == ["--cluster.shard=0/2", "--cluster.shard=1/2"])
    }

    /// The Service selects every Deployment's pods on the container's named port, and the
    /// ServiceMonitor selects the Service, scrapes that port and takes the job name the rules expect
    /// from the Service's label.
    @Test func serviceMonitorServiceAndDeploymentsAgree() async throws {
        Self.checkServiceMonitorServiceAndDeployments(try Self.manifests())
    }

    static func checkServiceMonitorServiceAndDeployments(_ kinds: [String: [[String: Any]]]) {
        guard let service = kinds["Service"]?.first, let monitor = kinds["ServiceMonitor"]?.first else {
            Issue.record("no Service or no ServiceMonitor: \(kinds.keys.sorted())")
            return
        }
        let serviceLabels = (service["metadata"] as? [String: Any])?["labels"] as? [String: String] ?? [:]
        let serviceSpec = service["spec"] as? [String: Any] ?? [:]
        let monitorSpec = monitor["spec"] as? [String: Any] ?? [:]
        let matchLabels = (monitorSpec["selector"] as? [String: Any])?["matchLabels"] as? [String: String] ?? [:]
        #expect(!matchLabels.isEmpty && matchLabels.allSatisfy { serviceLabels[$0.key] == $0.value })
        let jobLabel = monitorSpec["jobLabel"] as? String ?? ""
        #expect(serviceLabels[jobLabel] == "exesdb_exporter", "jobLabel \(jobLabel): the rules expect that job")
        let servicePorts = serviceSpec["ports"] as? [[String: Any]] ?? []
        let portNames = Set(servicePorts.compactMap { $0["name"] as? String })
        let endpoints = monitorSpec["endpoints"] as? [[String: Any]] ?? []
        #expect(!endpoints.isEmpty)
        for endpoint in endpoints {
            #expect(portNames.contains(endpoint["port"] as? String ?? ""), "endpoint port \(endpoint)")
            #expect(endpoint["path"] as? String == "/metrics")
        }
        let selector = serviceSpec["selector"] as? [String: String] ?? [:]
        #expect(!selector.isEmpty)
        for deployment in kinds["Deployment"] ?? [] {
            let template = (deployment["spec"] as? [String: Any])?["template"] as? [String: Any]
            let podLabels = (template?["metadata"] as? [String: Any])?["labels"] as? [String: String] ?? [:]
            #expect(selector.allSatisfy { podLabels[$0.key] == $0.value }, "the Service misses \(podLabels)")
            let containerPorts = Self.container(deployment)["ports"] as? [[String: Any]] ?? []
            let names = Set(containerPorts.compactMap { $0["name"] as? String })
            for port in servicePorts {
                #expect(names.contains(port["targetPort"] as? String ?? ""), "targetPort \(port) not in \(names)")
            }
        }
    }

    /// The embedded exesdb_exporter.yml goes through the exporter's loader (every section refuses
    /// unknown keys), the webhooks section through the forwarder's; a misspelt key is caught.
    @Test func configMapConfigPassesTheExportersParser() async throws {
        let config = try Self.exporterConfig(in: try Self.manifests())
        let file = try ConfigFile.parse(config, path: "configmap.yaml")
        #expect(file.settings.erlang?.nodes?.count == 2)
        let webhooks = try file.section("webhooks", as: WebhookConfiguration.self)
        #expect(webhooks?.endpoints.map(\.format) == [.alertmanagerAPI])
        let misspelt = config.replacingOccurrences(of: "  ttl: 5m", with: "  tttl: 5m")
        #expect(misspelt != config)
        #expect(throws: ConfigFileError.self) { try ConfigFile.parse(misspelt, path: "configmap.yaml") }
        let misspeltWebhook = config.replacingOccurrences(of: "timeout: 5s", with: "time_out: 5s")
        #expect(misspeltWebhook != config)
        #expect(throws: ConfigFileError.self) {
            try ConfigFile.parse(misspeltWebhook, path: "configmap.yaml").section(
                "webhooks", as: WebhookConfiguration.self)
        }
    }

    @Test func generatedManifestsAreWhatGenerateWrites() async throws {
        let directory = try Repository.temporaryDirectory("kubernetes")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await Tool.run(
            "python3", package: "python3-yaml", [Repository.path("deploy/kubernetes/generate.py"), directory])
        #expect(result.status == 0, "\(result.output)")
        for file in ["prometheusrule.yaml", "sharded/deployments.yaml"] {
            let generated = try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)
            #expect(
                generated == (try Repository.text("deploy/kubernetes/\(file)")),
                "deploy/kubernetes/\(file) differs from generate.py's output: rerun python3 deploy/kubernetes/generate.py"
            )
        }
        // The chart's copies of the rules and the dashboards.
        let chart = "deploy/helm/exesdb-exporter/files"
        let dashboards = try Repository.files(in: "dashboards", ending: ".json").map {
            "dashboards/\(URL(fileURLWithPath: $0).lastPathComponent)"
        }
        #expect(try Repository.files(in: "\(chart)/dashboards", ending: ".json").count == dashboards.count)
        for file in ["rules.yaml"] + dashboards {
            let generated = try String(contentsOfFile: "\(directory)/helm/files/\(file)", encoding: .utf8)
            #expect(
                generated == (try Repository.text("\(chart)/\(file)")),
                "\(chart)/\(file) differs from generate.py's output: rerun python3 deploy/kubernetes/generate.py")
        }
    }

    /// exesdb_exporter.yml of the ConfigMap that holds one.
    static func exporterConfig(in kinds: [String: [[String: Any]]]) throws -> String {
        let configs = (kinds["ConfigMap"] ?? []).compactMap {
            ($0["data"] as? [String: Any])?["exesdb_exporter.yml"] as? String
        }
        return try #require(configs.first, "no ConfigMap holds exesdb_exporter.yml")
    }

    static func container(_ deployment: [String: Any]) -> [String: Any] {
        let spec = deployment["spec"] as? [String: Any]
        let template = spec?["template"] as? [String: Any]
        let podSpec = template?["spec"] as? [String: Any]
        return (podSpec?["containers"] as? [[String: Any]])?.first ?? [:]
    }

    /// Checks the probes, requests and secrets of the container; returns its secretKeyRefs. The
    /// probes ask /-/healthy and /-/ready, or, where `tcpProbes` (the kubelet can give neither a
    /// password nor a client certificate), check the metrics port.
    static func checkContainer(of deployment: [String: Any], tcpProbes: Bool = false) -> [[String: Any]] {
        let container = Self.container(deployment)
        let probe = { (name: String) in
            ((container[name] as? [String: Any])?["httpGet"] as? [String: Any])?["path"] as? String
        }
        let tcpPort = { (name: String) in
            ((container[name] as? [String: Any])?["tcpSocket"] as? [String: Any])?["port"] as? String
        }
        if tcpProbes {
            #expect(tcpPort("livenessProbe") == "metrics" && tcpPort("readinessProbe") == "metrics", "\(container)")
        } else {
            #expect(probe("livenessProbe") == "/-/healthy")
            #expect(probe("readinessProbe") == "/-/ready")
        }
        #expect(((container["resources"] as? [String: Any])?["requests"] as? [String: Any]) != nil, "resource requests")
        let environment = container["env"] as? [[String: Any]] ?? []
        return ["ERLANG_COOKIE", "SECRET_KEY_BASE"].compactMap { name in
            let variable = environment.first { $0["name"] as? String == name }
            let reference = (variable?["valueFrom"] as? [String: Any])?["secretKeyRef"] as? [String: Any]
            #expect(reference != nil, "\(name) must come from a Secret reference")
            return reference
        }
    }
}
