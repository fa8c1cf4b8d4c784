import BEAMPeers
import Foundation
import Testing

@testable import WebhookForwarder

extension LoopbackTests {
    /// At-least-once across `kill -9`: the real WebhookForwarder in a process of its own
    /// (WebhookForwarderHarness, test support), killed while the receiver is down and again while
    /// it delivers, then restarted on the same spool.
    @Suite struct CrashRecoveryTests {
        static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        static let harness = packageRoot.appendingPathComponent(".build/debug/WebhookForwarderHarness").path

        func startHarness(_ arguments: [String], environment: [String: String] = [:]) throws -> BackgroundProcess {
            guard FileManager.default.isExecutableFile(atPath: Self.harness) else {
                throw ErlangTools.Failure(
                    description: "\(Self.harness) is missing: run `swift build --build-tests` first")
            }
            return try BackgroundProcess(Self.harness, arguments, environment: environment)
        }

        /// A configuration file for one endpoint, and a messages file of `count` escalations.
        func files(
            _ setup: ForwarderSetup, port: Int, count: Int, format: String = "alertmanager", extra: String = ""
        )
            throws -> (configuration: String, messages: String)
        {
            let configuration = """
                {"spool_dir": "\(setup.spool)", "endpoints": [{"name": "oncall", "url": "http://127.0.0.1:\(port)/hook",
                 "format": "\(format)", "max_in_flight": 8, "min_backoff": "50ms", "max_backoff": "200ms"\(extra)}]}
                """
            let messages = (0..<count).map { index in
                """
                {"escalation": {"alert_id": "alert-\(index)", "from_level": "level1", "to_level": "level2", \
                "reason": "no ack", "contacts": ["ops@example.com"]}}
                """
            }
            let paths = ("\(setup.directory)/webhooks.json", "\(setup.directory)/messages.jsonl")
            try configuration.write(toFile: paths.0, atomically: true, encoding: .utf8)
            try messages.joined(separator: "\n").write(toFile: paths.1, atomically: true, encoding: .utf8)
            return paths
        }

        @Test func aFullDiskStillDeliversFromMemoryAndSaysSo() async throws {
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let (configuration, messages) = try files(setup, port: receiver.port, count: 50, format: "json")
            let harness = try startHarness(
                [configuration, messages], environment: ["WEBHOOK_HARNESS_MAX_FILE_BYTES": "8192"])
            // Generous deadlines here and below: each step starts a debug-built process. Each wait
            // on the harness ends early when it exits (on a configuration it refuses, say).
            try await harness.waitUntil("all 50 delivered", timeout: .seconds(60)) {
                Set(receiver.requests.map(\.body)).count == 50
            }
            try await harness.waitForLine(containing: "outcome unspooled", timeout: .seconds(60))
            try await harness.waitForLine(containing: "running", timeout: .seconds(60))
            let output = harness.lines.joined(separator: "\n")
            #expect(output.contains("accepted 1"), "the first ones fit in the spool")
            #expect(output.contains("File too large"), "the system's reason is given")
            #expect(output.contains("cannot write webhook deliveries to the spool; they are sent from memory only"))
            harness.signal(SIGTERM)
            _ = try await harness.waitForExit(timeout: .seconds(30))
        }

        @Test func aThousandEscalationsSurviveKillNineAndArriveWithStableKeys() async throws {
            let setup = try ForwarderSetup()
            let port = ErlangTools.freePort()
            let hmac = try setup.secret("oncall.hmac", "crash-test-hmac-secret")
            let (configurationFile, messagesFile) = try files(
                setup, port: port, count: 1000, extra: ", \"hmac_secret_file\": \"\(hmac)\"")

            // 1. The receiver is down: all 1000 are accepted (on disk), then the process is killed.
            let first = try startHarness([configurationFile, messagesFile])
            try await first.waitForLine(containing: "accepted 1000", timeout: .seconds(90))
            first.signal(SIGKILL)
            #expect(try await first.waitForExit() != 0)

            // 2. The receiver is back, answers 200 requests and then hangs: killed in the middle.
            let receiver = try await WebhookReceiver.start(port: port) { _, index in index < 200 ? .ok : .hang }
            defer { Task { await receiver.stop() } }
            let second = try startHarness([configurationFile])
            try await second.waitUntil("208 requests", timeout: .seconds(90)) { receiver.requests.count >= 208 }
            second.signal(SIGKILL)
            _ = try await second.waitForExit()
            #expect(receiver.requests.count == 208, "200 answered, 8 (max_in_flight) hanging when killed")
            receiver.respond { _, _ in .ok }

            // 3. Restarted: every escalation arrives, each at least once, repeats only with the same key.
            let third = try startHarness([configurationFile])
            try await third.waitUntil("all 1000 alerts delivered", timeout: .seconds(120)) {
                Set(receiver.requests.compactMap(alertID)).count == 1000
            }
            // The last answers may still be on their way back when the last request arrives.
            try await third.waitUntil("every delivery completed", timeout: .seconds(60)) {
                third.lines.last { $0.hasPrefix("pending ") } == "pending 0"
            }
            var keys: [String: Set<String>] = [:]
            for request in receiver.requests {
                #expect(
                    request.header(RequestSigning.signatureHeader)
                        == expectedSignature(request, secret: "crash-test-hmac-secret"))
                keys[alertID(request) ?? "?", default: []].insert(
                    request.header(RequestSigning.idempotencyHeader) ?? "")
            }
            #expect(keys.count == 1000)
            for (alert, seen) in keys {
                let expected = RequestSigning.idempotencyKey(
                    alertID: alert, toLevel: "level2", endpoint: "oncall", resolved: false)
                #expect(seen == [expected], "\(alert): \(seen)")
            }
            let duplicates = receiver.requests.count - 1000
            #expect(duplicates >= 8, "the 8 unanswered ones are sent again")
            try await third.waitForLine(containing: "running", timeout: .seconds(60))
            third.signal(SIGTERM)
            #expect(try await third.waitForExit(timeout: .seconds(30)) == 0)

            // 4. Nothing is pending any more: a fourth start recovers nothing and sends nothing.
            let settled = receiver.requests.count
            let fourth = try startHarness([configurationFile])
            try await fourth.waitForLine(containing: "running", timeout: .seconds(60))
            try await fourth.waitForLine(containing: "recovered_deliveries=0")
            try await Task.sleep(for: .milliseconds(500))
            #expect(receiver.requests.count == settled)
            fourth.signal(SIGTERM)
            _ = try await fourth.waitForExit(timeout: .seconds(30))
            let output = (first.lines + second.lines + third.lines + fourth.lines).joined(separator: "\n")
            #expect(!output.contains("crash-test-hmac-secret"))
            print("kill -9 test: 1000 escalations, \(duplicates) sent again after the kills, each with its key")
        }

        /// The exporter's ingest mode (`durably: false`): the feeder does not wait for syncs, and
        /// the harness says `spooled N` once a barrier behind the first N returned. Killed right
        /// after such a line, with the receiver down: all N arrive after the restart.
        @Test func whatTheNonWaitingIngestReportedSpooledSurvivesKillNine() async throws {
            let setup = try ForwarderSetup()
            let port = ErlangTools.freePort()
            let (configurationFile, messagesFile) = try files(setup, port: port, count: 1000)

            let first = try startHarness(["--no-wait-for-sync", configurationFile, messagesFile])
            try await first.waitUntil("a barrier reported at least 100 spooled", timeout: .seconds(90)) {
                spooledCounts(first.lines).contains { $0 >= 100 }
            }
            first.signal(SIGKILL)
            #expect(try await first.waitForExit() != 0)
            let lines = first.lines
            let spooled = try #require(spooledCounts(lines).max())
            #expect(!lines.contains { $0.hasPrefix("accepted") }, "nothing counts as accepted before its sync")
            for count in spooledCounts(lines) {
                let queuedAt = try #require(lines.firstIndex(of: "queued \(count)"))
                let spooledAt = try #require(lines.firstIndex(of: "spooled \(count)"))
                #expect(queuedAt < spooledAt, "queued before the barrier behind it")
            }
            let queued = lines.filter { $0.hasPrefix("queued ") }.count

            let receiver = try await WebhookReceiver.start(port: port)
            defer { Task { await receiver.stop() } }
            let second = try startHarness([configurationFile])
            let expected = Set((0..<spooled).map { "alert-\($0)" })
            try await second.waitUntil("the \(spooled) spooled escalations delivered", timeout: .seconds(120)) {
                expected.isSubset(of: Set(receiver.requests.compactMap(alertID)))
            }
            second.signal(SIGTERM)
            _ = try await second.waitForExit(timeout: .seconds(30))
            let arrived = Set(receiver.requests.compactMap(alertID)).count
            print(
                "kill -9 without waiting for syncs: \(queued) queued, \(spooled) reported spooled, \(arrived) arrived")
        }

        /// A harness that refuses its configuration ends the wait for its lines as soon as it has
        /// exited, with what it said, instead of at the end of the wait's timeout.
        @Test func aRefusedConfigurationEndsTheWaitAtOnceWithTheHarnessOutput() async throws {
            let setup = try ForwarderSetup()
            let (configuration, messages) = try files(
                setup, port: ErlangTools.freePort(), count: 1, format: "no_such_format")
            let harness = try startHarness([configuration, messages])
            let started = ContinuousClock.now
            let failure = await #expect(throws: ErlangTools.Failure.self) {
                try await harness.waitForLine(containing: "accepted 1", timeout: .seconds(90))
            }
            let waited = ContinuousClock.now - started
            #expect(waited < .seconds(20), "waited \(waited) of the 90 s for a harness that had exited")
            let description = failure?.description ?? ""
            #expect(description.contains("exited with status 2"), "\(description)")
            #expect(description.contains("no_such_format"), "the harness's own words: \(description)")
            #expect(try await harness.waitForExit() == 2)
        }

        /// The N of each `spooled N` line.
        func spooledCounts(_ lines: [String]) -> [Int] {
            lines.compactMap { $0.hasPrefix("spooled ") ? Int($0.dropFirst("spooled ".count)) : nil }
        }

        func alertID(_ request: WebhookReceiver.Request) -> String? {
            guard let message = try? request.json() as? [String: Any] else { return nil }
            return (message["groupLabels"] as? [String: String])?["alert_id"]
        }
    }
}
