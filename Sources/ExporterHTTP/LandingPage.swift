/// The HTML page at `/`: version, links, the ExESDB nodes with their buses and last-message age,
/// and the webhook queues. Links are relative so that the page works behind a path prefix.
enum LandingPage {
    static func html(_ status: LandingPageStatus, telemetryPath: String) -> String {
        let metricsLink = escape(String(telemetryPath.drop(while: { $0 == "/" })))
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>exesdb_exporter</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}\
            td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}</style></head>
            <body>
            <h1>exesdb_exporter</h1>
            <p>Prometheus exporter for ExESDB. Version <code>\(escape(status.version))</code>.</p>
            <ul>
            <li><a href="\(metricsLink)">Metrics</a> (<code>\(escape(telemetryPath))</code>)</li>
            <li><a href="-/healthy">Health</a></li>
            <li><a href="-/ready">Readiness</a></li>
            </ul>
            <h2>ExESDB nodes</h2>
            \(peersTable(status.peers))
            <h2>Webhook queues</h2>
            \(webhooksTable(status.webhookQueues))
            </body>
            </html>

            """
    }

    private static func peersTable(_ peers: [PeerStatus]) -> String {
        guard !peers.isEmpty else { return "<p>No node known yet.</p>" }
        let rows = peers.map { peer in
            row([
                peer.name, buses(peer),
                peer.connected ? "connected" : "disconnected" + (peer.lastError.map { " (\($0))" } ?? ""),
                age(peer.lastMessageAgeSeconds, none: "no message yet"), rejections(peer.rejected),
            ])
        }
        return table(["Node", "Buses", "Connection", "Last accepted message", "Rejected"], rows)
    }

    private static func rejections(_ counts: [String: Int]) -> String {
        let nonzero = counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        return nonzero.isEmpty ? "none" : nonzero.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }

    /// The buses, each with the age of its last message once it has delivered one.
    private static func buses(_ peer: PeerStatus) -> String {
        peer.buses.map { bus in
            peer.lastMessageAgeByBus[bus].map { "\(bus) (\(age($0, none: "")))" } ?? bus
        }.joined(separator: ", ")
    }

    private static func webhooksTable(_ queues: [WebhookQueueStatus]) -> String {
        guard !queues.isEmpty else { return "<p>No webhook endpoint configured.</p>" }
        let rows = queues.map { queue in
            row([queue.endpoint, String(queue.length), age(queue.oldestPendingAgeSeconds, none: "nothing pending")])
        }
        return table(["Endpoint", "Pending deliveries", "Oldest pending"], rows)
    }

    private static func table(_ headings: [String], _ rows: [String]) -> String {
        let head = "<tr>" + headings.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
        return "<table>\n\(head)\n\(rows.joined(separator: "\n"))\n</table>"
    }

    private static func row(_ cells: [String]) -> String {
        "<tr>" + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>"
    }

    /// Seconds with one decimal, or `none` when there is no age.
    static func age(_ seconds: Double?, none: String) -> String {
        guard let seconds, seconds.isFinite else { return none }
        // Clamped so that the conversion to Int below cannot trap on an absurd age.
        let tenths = (min(max(seconds, 0), 1e12) * 10).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10) s ago"
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
