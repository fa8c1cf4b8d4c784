import BEAMPeers
import ExporterHTTP
import Foundation
import MetricsStore
import MetricsTestKit
import Testing

/// The endpoints over real HTTP on loopback, read with curl.
@Suite(.serialized) struct EndpointTests {
    static let prometheusAccept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    @Test func prometheusAcceptHeaderGetsOpenMetrics() async throws {
        try await withServer(CannedSources().sources()) { running async throws in
            let response = try await curl(running.url("/metrics"), ["-H", "Accept: \(Self.prometheusAccept)"])
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
            #expect(response.headers["vary"] == "Accept, Accept-Encoding")
            #expect(response.headers["content-encoding"] == nil)
            #expect(response.text == CannedExposition.openMetrics)
        }
    }

    @Test func anythingElseGetsTheTextFormat() async throws {
        try await withServer(CannedSources().sources()) { running async throws in
            for accept in [
                "", "text/plain", "application/json", "application/openmetrics-text;version=0.0.1",
                "application/openmetrics-text;q=0.2,text/plain;version=0.0.4;q=0.5",
            ] {
                let response = try await curl(
                    running.url("/metrics"), accept.isEmpty ? [] : ["-H", "Accept: \(accept)"])
                #expect(
                    response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8", "Accept: \(accept)")
                #expect(response.text == CannedExposition.prometheusText, "Accept: \(accept)")
            }
        }
    }

    @Test func gzipWhenAccepted() async throws {
        try await withServer(CannedSources().sources()) { running async throws in
            let gzipped = try await curl(running.url("/metrics"), ["-H", "Accept-Encoding: deflate;q=0.5, gzip;q=0.8"])
            #expect(gzipped.headers["content-encoding"] == "gzip")
            #expect(gzipped.body.starts(with: [0x1f, 0x8b]))
            #expect(try await gunzip(gzipped.body) == CannedExposition.prometheusText)

            let refused = try await curl(running.url("/metrics"), ["-H", "Accept-Encoding: gzip;q=0, identity"])
            #expect(refused.headers["content-encoding"] == nil)
            #expect(refused.text == CannedExposition.prometheusText)
        }
    }

    @Test func headAnswersTheGetHeadersWithoutBody() async throws {
        try await withServer(CannedSources().sources()) { running async throws in
            let response = try await curl(
                running.url("/metrics"), ["-I", "-H", "Accept: application/openmetrics-text"])
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == ExpositionFormat.openMetrics.contentType)
            #expect(response.headers["content-length"] == String(CannedExposition.openMetrics.utf8.count))
            // A body after the HEAD answer would be read as the start of the next answer on the
            // same connection: HEAD then GET must give two clean responses.
            let url = running.url("/metrics")
            let both = try await ErlangTools.run("curl", ["-s", "-I", url, "--next", "-s", "-i", url])
            #expect(both.output.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
            #expect(both.output.hasSuffix("\r\n\r\n" + CannedExposition.prometheusText))
        }
    }

    @Test func healthReadinessAndUnknownPaths() async throws {
        let sources = CannedSources()
        try await withServer(sources.sources()) { running async throws in
            let healthy = try await curl(running.url("/-/healthy"))
            #expect(healthy.status == 200)
            #expect(healthy.text == "OK\n")
            #expect(try await curl(running.url("/-/ready")).status == 200)
            sources.ready = false
            let notReady = try await curl(running.url("/-/ready"))
            #expect(notReady.status == 503)
            #expect(try await curl(running.url("/-/healthy")).status == 200)
            sources.ready = true
            #expect(try await curl(running.url("/-/ready")).status == 200)
            #expect(try await curl(running.url("/nothing-here")).status == 404)
            #expect(try await curl(running.url("/metrics/extra")).status == 404)
            #expect(try await curl(running.url("/metrics"), ["-X", "POST"]).status == 404)
        }
    }

    @Test func configuredTelemetryPath() async throws {
        try await withServer(CannedSources().sources(), telemetryPath: "/exesdb/metrics") { running async throws in
            #expect(try await curl(running.url("/exesdb/metrics")).text == CannedExposition.prometheusText)
            #expect(try await curl(running.url("/metrics")).status == 404)
            #expect(try await curl(running.url("/")).text.contains("href=\"exesdb/metrics\""))
        }
    }

    @Test func landingPageShowsNodesBusesAndQueues() async throws {
        let sources = CannedSources()
        sources.status = LandingPageStatus(
            version: "0.9.0",
            peers: [
                PeerStatus(
                    name: "ex_esdb@host-1", buses: ["ex_esdb_metrics", "ex_esdb_alerts"], connected: true,
                    lastMessageAgeSeconds: 2.04),
                PeerStatus(name: "ex_esdb@<script>", buses: [], connected: false, lastMessageAgeSeconds: nil),
                PeerStatus(
                    name: "ex_esdb@host-2", buses: ["ex_esdb_metrics", "ex_esdb_alerts"], connected: true,
                    lastMessageAgeSeconds: 1.0, lastMessageAgeByBus: ["ex_esdb_metrics": 1.0]),
            ],
            webhookQueues: [WebhookQueueStatus(endpoint: "oncall", length: 3, oldestPendingAgeSeconds: 12.5)])
        try await withServer(sources.sources()) { running async throws in
            let page = try await curl(running.url("/"))
            #expect(page.status == 200)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            let html = page.text
            for expected in [
                "<code>0.9.0</code>", "href=\"metrics\"", "href=\"-/healthy\"", "href=\"-/ready\"",
                "<td>ex_esdb@host-1</td><td>ex_esdb_metrics, ex_esdb_alerts</td><td>connected</td><td>2.0 s ago</td>",
                "<td>ex_esdb@&lt;script&gt;</td><td></td><td>disconnected</td><td>no message yet</td>",
                // A bus that has delivered shows its last message's age; one that has not, its name.
                "<td>ex_esdb@host-2</td><td>ex_esdb_metrics (1.0 s ago), ex_esdb_alerts</td><td>connected</td>",
                "<td>oncall</td><td>3</td><td>12.5 s ago</td>",
            ] {
                #expect(html.contains(expected), "missing \(expected)")
            }
            #expect(!html.contains("<script>"))

            sources.status = LandingPageStatus(version: "0.9.0")
            let empty = try await curl(running.url("/")).text
            #expect(empty.contains("No node known yet."))
            #expect(empty.contains("No webhook endpoint configured."))
        }
    }

    @Test func eachScrapeRecordsItsRenderTimeByFormat() async throws {
        let metrics = TestMetrics()
        let sources = CannedSources().sources(render: { format in
            Thread.sleep(forTimeInterval: 0.03)  // On NIO's thread pool, where renders run.
            return Array(CannedExposition.body(format).utf8)
        })
        try await withServer(sources, metrics: metrics) { running async throws in
            _ = try await curl(running.url("/metrics"))
            _ = try await curl(running.url("/metrics"))
            _ = try await curl(running.url("/metrics"), ["-H", "Accept: application/openmetrics-text"])
            let text = try metrics.expectTimer("exesdb_exporter_scrape_duration_seconds", [("format", "prometheus")])
            let openMetrics = try metrics.expectTimer(
                "exesdb_exporter_scrape_duration_seconds", [("format", "openmetrics")])
            #expect(text.values.count == 2)
            #expect(openMetrics.values.count == 1)
            #expect(text.values.allSatisfy { $0 >= 30_000_000 })
            _ = try await curl(running.url("/-/healthy"))
            #expect(text.values.count == 2)
        }
    }
}
