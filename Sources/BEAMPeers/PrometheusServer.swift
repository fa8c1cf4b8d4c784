import Foundation

/// A real Prometheus server (Debian's `prometheus` 2.42) on a free loopback port, with its own
/// temporary directory for the configuration and the TSDB; stopped and removed when released.
/// Its HTTP API is read with the `curl` command-line tool.
public final class PrometheusServer: Sendable {
    /// One series of an instant query's result.
    public struct Sample: Sendable, Equatable {
        public let labels: [String: String]
        public let value: Double
    }

    /// One active target of `/api/v1/targets`.
    public struct Target: Sendable, Equatable {
        public let job: String
        public let scrapeURL: String
        /// `up`, `down` or `unknown`.
        public let health: String
        public let lastError: String
    }

    /// One scrape job of the generated configuration.
    public struct ScrapeJob: Sendable {
        public var name: String
        /// `host:port`.
        public var target: String
        public var metricsPath: String
        public var scheme: String
        /// The CA certificate file Prometheus's `tls_config` trusts, with `https`.
        public var caFile: String?
        /// Prometheus's `tls_config` client certificate and key, for servers that ask for one.
        public var clientCertificate: (certificate: String, key: String)?
        public var basicAuth: (username: String, password: String)?

        public init(
            name: String, target: String, metricsPath: String = "/metrics", scheme: String = "http",
            caFile: String? = nil, clientCertificate: (certificate: String, key: String)? = nil,
            basicAuth: (username: String, password: String)? = nil
        ) {
            self.name = name
            self.target = target
            self.metricsPath = metricsPath
            self.scheme = scheme
            self.caFile = caFile
            self.clientCertificate = clientCertificate
            self.basicAuth = basicAuth
        }

        var yaml: String {
            var lines = [
                "  - job_name: \(quoted(name))", "    metrics_path: \(quoted(metricsPath))",
                "    scheme: \(scheme)", "    static_configs:", "      - targets: [\(quoted(target))]",
            ]
            if caFile != nil || clientCertificate != nil {
                lines.append("    tls_config:")
                if let caFile { lines.append("      ca_file: \(quoted(caFile))") }
                if let clientCertificate {
                    lines.append("      cert_file: \(quoted(clientCertificate.certificate))")
                    lines.append("      key_file: \(quoted(clientCertificate.key))")
                }
            }
            if let basicAuth {
                lines.append("    basic_auth:")
                lines.append("      username: \(quoted(basicAuth.username))")
                lines.append("      password: \(quoted(basicAuth.password))")
            }
            return lines.joined(separator: "\n")
        }
    }

    public let port: Int
    public let directory: String
    private let process: BackgroundProcess

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The text of a `prometheus.yml` scraping `jobs` every `scrapeInterval`, with `ruleFiles`.
    public static func configuration(
        jobs: [ScrapeJob], scrapeInterval: String = "1s", ruleFiles: [String] = []
    )
        -> String
    {
        var text = "global:\n  scrape_interval: \(scrapeInterval)\n  evaluation_interval: \(scrapeInterval)\n"
        if !ruleFiles.isEmpty {
            text += "rule_files:\n" + ruleFiles.map { "  - \(quoted($0))\n" }.joined()
        }
        text += "scrape_configs:\n" + jobs.map(\.yaml).joined(separator: "\n") + "\n"
        return text
    }

    /// Starts Prometheus with `configuration` (the text of `prometheus.yml`); `files` (name to
    /// content) are written beside it first, so the configuration can name them by relative
    /// path. Returns once `/-/ready` answers 200.
    public static func start(
        configuration: String, files: [String: String] = [:], timeout: Duration = .seconds(30)
    ) async throws -> PrometheusServer {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("exesdb-prometheus-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, content) in files {
            try content.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
        }
        try configuration.write(toFile: "\(directory)/prometheus.yml", atomically: true, encoding: .utf8)
        let server = try PrometheusServer(directory: directory, executable: try executable())
        try await server.waitUntilReady(timeout: timeout)
        return server
    }

    private init(directory: String, executable: String) throws {
        self.directory = directory
        port = ErlangTools.freePort()
        process = try BackgroundProcess(
            executable,
            [
                "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
            ])
    }

    private static func executable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/prometheus" } + ["/usr/bin/prometheus"]
        guard let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw ErlangTools.Failure(
                description: "prometheus not found in PATH or /usr/bin: install Debian's prometheus package "
                    + "(scripts/install-deps.sh)")
        }
        return found
    }

    private func waitUntilReady(timeout: Duration) async throws {
        let url = "\(baseURL)/-/ready"
        let ready = try await poll(timeout: timeout, every: .milliseconds(100)) { () async throws -> Bool? in
            guard process.isRunning else {
                throw ErlangTools.Failure(
                    description: "prometheus exited at startup:\n\(process.lines.joined(separator: "\n"))")
            }
            return (try? await ErlangTools.run("curl", ["-sf", "--max-time", "2", url]))?.status == 0 ? true : nil
        }
        if ready == nil {
            throw ErlangTools.Failure(
                description: "prometheus not ready within \(timeout):\n\(process.lines.joined(separator: "\n"))")
        }
    }

    /// The result of the instant query `promql` (`/api/v1/query`), vector results only.
    public func query(_ promql: String) async throws -> [Sample] {
        let data = try await api("/api/v1/query", ["query": promql])
        guard let result = data["result"] as? [[String: Any]] else { return [] }
        return result.compactMap { series in
            guard let labels = series["metric"] as? [String: String], let pair = series["value"] as? [Any],
                pair.count == 2, let text = pair[1] as? String, let value = Double(text)
            else { return nil }
            return Sample(labels: labels, value: value)
        }
    }

    /// Runs `promql` until `done` accepts the result; fails with the last result after `timeout`.
    @discardableResult
    public func waitForQuery(
        _ promql: String, timeout: Duration = .seconds(20), until done: ([Sample]) -> Bool
    ) async throws -> [Sample] {
        var last: [Sample] = []
        let found = try await poll(timeout: timeout, every: .milliseconds(200)) { () async throws -> [Sample]? in
            last = try await query(promql)
            return done(last) ? last : nil
        }
        if let found { return found }
        throw ErlangTools.Failure(description: "query '\(promql)' still gives \(last) after \(timeout)")
    }

    /// The active targets (`/api/v1/targets`).
    public func targets() async throws -> [Target] {
        let data = try await api("/api/v1/targets", ["state": "active"])
        guard let active = data["activeTargets"] as? [[String: Any]] else { return [] }
        return active.map { target in
            Target(
                job: target["scrapePool"] as? String ?? "", scrapeURL: target["scrapeUrl"] as? String ?? "",
                health: target["health"] as? String ?? "", lastError: target["lastError"] as? String ?? "")
        }
    }

    /// Reads the targets until `done` accepts them; fails with the last ones after `timeout`.
    @discardableResult
    public func waitForTargets(
        timeout: Duration = .seconds(20), until done: ([Target]) -> Bool
    ) async throws
        -> [Target]
    {
        var last: [Target] = []
        let found = try await poll(timeout: timeout, every: .milliseconds(200)) { () async throws -> [Target]? in
            last = try await targets()
            return done(last) ? last : nil
        }
        if let found { return found }
        throw ErlangTools.Failure(description: "targets still \(last) after \(timeout)")
    }

    /// The `data` object of an API answer; a failure carries Prometheus's own error text.
    private func api(_ path: String, _ parameters: [String: String]) async throws -> [String: Any] {
        let arguments =
            ["-sS", "--max-time", "5", "-G"]
            + parameters.sorted { $0.key < $1.key }.flatMap { ["--data-urlencode", "\($0.key)=\($0.value)"] }
            + ["\(baseURL)\(path)"]
        let result = try await ErlangTools.run("curl", arguments)
        guard result.status == 0,
            let object = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        else {
            throw ErlangTools.Failure(description: "prometheus API \(path) failed: \(result.output)")
        }
        guard object["status"] as? String == "success", let data = object["data"] as? [String: Any] else {
            throw ErlangTools.Failure(description: "prometheus API \(path) answered: \(result.output)")
        }
        return data
    }

    /// Stops the server and removes its directory once it has ended (without waiting for that).
    public func stop() {
        process.stopNow { [directory] in try? FileManager.default.removeItem(atPath: directory) }
    }

    deinit {
        stop()
    }
}

/// A YAML double-quoted string.
private func quoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
