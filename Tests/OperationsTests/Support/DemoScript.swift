import BEAMPeers
import Foundation

/// What scripts/demo.sh leaves behind or shows, read the way a user would see it.
enum DemoScript {
    /// Catalogue families the demo cannot give a sample, and why (EndToEndTests).
    static let familiesWithoutSamples: [String: String] = EndToEndTests.demoCannotSample

    /// Processes whose command line names `directory`: the demo's nodes (`-pa <dir>/ebin`), sink
    /// (`--log <dir>/...`) and exporter (`--config.file=<dir>/...`) all do.
    static func processes(naming directory: String) async throws -> [String] {
        let result = try await Tool.run("pgrep", package: "procps", ["-a", "-f", directory])
        return result.status == 0 ? result.output.split(separator: "\n").map(String.init) : []
    }

    /// The distribution ports of the nodes a running EPMD knows.
    static func nodePorts(epmdPort: String) async throws -> [Int] {
        let names = try await ErlangTools.run("epmd", ["-port", epmdPort, "-names"]).output
        return names.matches(of: /at port (\d+)/).compactMap { Int($0.output.1) }
    }

    /// The JSON lines of the webhook sink's log (demo/webhook_sink.py --log).
    static func sinkRecords(_ path: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Whether a sink record is a firing escalation in the `alertmanager` format (webhook message
    /// version 4) for `receiver`, to level2 or level3, with a signature the sink found valid.
    static func isSignedEscalation(_ record: [String: Any], receiver: String) -> Bool {
        guard let body = record["body"] as? [String: Any], let alerts = body["alerts"] as? [[String: Any]],
            let labels = alerts.first?["labels"] as? [String: String]
        else { return false }
        return record["signature"] as? String == "valid" && body["version"] as? String == "4"
            && body["receiver"] as? String == receiver && labels["alertname"] == "ExESDBAlertEscalated"
            && ["level2", "level3"].contains(labels["to_level"] ?? "") && labels["alert_id"] != nil
    }
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func isListening(_ port: Int) -> Bool {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { return false }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    return result == 0
}

extension BackgroundProcess {
    /// SIGINT to the process group the script leads (`DemoClusterTests.restoreSIGINT`), as a
    /// terminal sends Ctrl-C to its foreground job: to the script and every process of its group.
    func pressCtrlC() {
        if isRunning { kill(-processIdentifier, SIGINT) }
    }

    /// Ctrl-C, as a user stops the demo, so that its own cleanup (processes, temporary directory)
    /// runs even when a check failed early; then `stop()` for whatever is left after 30 s.
    func interruptThenStop() async {
        pressCtrlC()
        _ = try? await waitForExit(timeout: .seconds(30))
        await stop()
    }
}
