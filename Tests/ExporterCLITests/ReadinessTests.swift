import BEAMPeers
import Foundation
import Testing

extension BinaryEndToEndTests {
    /// No SECRET_KEY_BASE against nodes that sign: connected, yet every message is rejected as
    /// unverifiable. The exporter is not ready and says why; the landing page shows the node's
    /// rejections by reason.
    @Test func aMissingSecretIsNotReadyAndSaysWhy() async throws {
        let publisher = try await Publisher.everyPayload()
        defer { publisher.stop() }
        let arguments = publisher.exporterArguments().filter { !$0.hasPrefix("--security.secret-key-base-file") }
        let exporter = try RunningExporter(arguments, environment: publisher.environment)
        defer { exporter.stop() }
        try await exporter.process.waitForLine(containing: "joined the PubSub groups", timeout: .seconds(30))
        // Not subscribed yet, then not ready for the rejections: since no message was ever
        // accepted, the first rejected ones make it so at once.
        let ready = try #require(
            try await poll(timeout: .seconds(30), every: .milliseconds(300)) {
                let answer = try await exporter.get("/-/ready")
                return answer.body.contains("rejected") ? answer : nil
            })
        #expect(ready.status == 503)
        #expect(ready.body.contains("rejected, most as unverifiable"), "\(ready.body)")
        #expect(ready.body.contains("SECRET_KEY_BASE"), "the body says what to do: \(ready.body)")
        let page = try await exporter.get("/")
        #expect(page.body.contains("unverifiable"), "the landing page shows the rejections")
    }

    /// A node that refuses our cookie: the landing page says why it is not connected, and the
    /// exporter is not ready.
    @Test func theLandingPageShowsWhyANodeIsNotConnected() async throws {
        let publisher = try await Publisher.everyPayload()
        defer { publisher.stop() }
        let directory = try temporaryDirectory("e2e-wrong-cookie")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try writeSecretFile("not-the-cookie", to: "\(directory)/cookie")
        let arguments = publisher.exporterArguments().map {
            $0.hasPrefix("--erlang.cookie-file=") ? "--erlang.cookie-file=\(directory)/cookie" : $0
        }
        let exporter = try RunningExporter(arguments, environment: publisher.environment)
        defer { exporter.stop() }
        try await exporter.process.waitForLine(containing: "msg=listening", timeout: .seconds(30))
        let page = try #require(
            try await poll(timeout: .seconds(30), every: .milliseconds(300)) {
                let answer = try await exporter.get("/")
                return answer.body.contains("cookie_mismatch") ? answer : nil
            })
        #expect(page.body.contains("disconnected (cookie_mismatch)"), "\(page.body)")
        let ready = try await exporter.get("/-/ready")
        #expect(ready.status == 503 && ready.body.contains("no ExESDB node is connected"))
        #expect(!page.body.contains("not-the-cookie") && !page.body.contains(publisher.cookie))
        // A seed that never connected is there, down, for ExESDBPeerDown; its refusals are counted.
        let samples = try await exporter.samples()
        #expect(
            samples.named("exesdb_exporter_peer_up").map(\.value) == [0], "\(samples.named("exesdb_exporter_peer_up"))")
        #expect(
            samples.named("exesdb_exporter_peer_connects_total").contains {
                $0.labels["result"] == "cookie_mismatch" && $0.value >= 1
            })
    }
}
