import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real Alertmanager (Debian's `prometheus-alertmanager`) on loopback, with a temporary
/// storage directory, clustering off, and a generated configuration that routes every alert to
/// one webhook receiver, grouped by `alert_id`, with short waits so tests see notifications fast.
public final class AlertmanagerServer: Sendable {
    public let port: Int
    public let directory: String
    private let process: BackgroundProcess

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts Alertmanager sending its notifications to `webhookURL`, and waits until it is ready.
    public init(webhookURL: String, groupWait: String = "200ms", groupInterval: String = "1s") async throws {
        let tool = "/usr/bin/prometheus-alertmanager"
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw ErlangTools.Failure(
                description:
                    "\(tool) not found: install Debian's prometheus-alertmanager (scripts/install-deps.sh test)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("exesdb-am-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(directory)/data", withIntermediateDirectories: true)
        let configuration = """
            route:
              receiver: webhook
              group_by: [alert_id]
              group_wait: \(groupWait)
              group_interval: \(groupInterval)
              repeat_interval: 1h
            receivers:
              - name: webhook
                webhook_configs:
                  - url: \(webhookURL)
                    send_resolved: true

            """
        try configuration.write(toFile: "\(directory)/alertmanager.yml", atomically: true, encoding: .utf8)
        port = ErlangTools.freePort()
        process = try BackgroundProcess(
            tool,
            [
                "--config.file=\(directory)/alertmanager.yml", "--storage.path=\(directory)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=", "--log.level=debug",
            ])
        try await waitUntilReady()
    }

    /// Up to a minute: its start-up on a busy 2-core machine can take several seconds.
    private func waitUntilReady() async throws {
        let ready = try await poll(timeout: .seconds(60), every: .milliseconds(50)) { () async -> Bool? in
            if let (status, _) = try? await Self.get("\(url)/-/ready"), status == 200 { return true }
            return process.isRunning ? nil : false
        }
        if ready == true { return }
        throw ErlangTools.Failure(
            description:
                "Alertmanager did not become ready on port \(port); output:\n\(process.lines.joined(separator: "\n"))")
    }

    /// `GET /api/v2/alerts` (active and resolved-but-remembered alerts), decoded.
    public func alerts() async throws -> [[String: Any]] {
        let (status, data) = try await Self.get("\(url)/api/v2/alerts")
        guard status == 200, let alerts = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw ErlangTools.Failure(description: "GET /api/v2/alerts answered \(status)")
        }
        return alerts
    }

    /// What Alertmanager logged so far.
    public var log: [String] { process.lines }

    public func stop() { process.stopNow() }

    static func get(_ address: String) async throws -> (Int, Data) {
        guard let url = URL(string: address) else { throw ErlangTools.Failure(description: "bad URL \(address)") }
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    deinit {
        process.stopNow { [directory] in try? FileManager.default.removeItem(atPath: directory) }
    }
}
