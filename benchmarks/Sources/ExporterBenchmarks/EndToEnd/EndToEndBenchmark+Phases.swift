import BEAMPeers
import ErlangTerm
import Foundation
import Synchronization

extension EndToEndBenchmark {
    static let publishers = ["e2epub1", "e2epub2", "e2epub3"]

    // MARK: - Sustained rate

    /// Three publishers flood together, first to the exporter alone, then to the BEAM subscriber
    /// alone: messages per second taken, and every one of them counted.
    static func sustained(_ settings: Settings, fixtures: ErlangFixtures) async throws {
        let cluster = try await ErlangCluster(fixtures: fixtures)
        var nodes: [BackgroundProcess] = []
        defer { for node in nodes { node.stopNow() } }
        for alive in publishers {
            nodes.append(try await cluster.startNode(alive, expression: "e2e_bench:publisher()"))
        }
        let control = try await ControlNode.joined(cluster, publishers)
        defer { control.stop() }
        let perPublisher = settings.sustainedPerPublisher
        let total = Double(perPublisher * publishers.count)
        print("  Sustained: \(publishers.count) publisher nodes flooding \(perPublisher) broadcasts each, together")

        let exporter = try await BenchExporter(
            binary: settings.exporterBinary, seeds: publishers.map { "\($0)@localhost" }, cluster: cluster,
            secret: secret)
        for alive in publishers { try await control.waitForMembers(on: alive, [BenchExporter.name]) }
        floodAll(2_000, control: control)
        _ = try await exporter.waitUntilAccepted(Double(2_000 * publishers.count))
        let start = ContinuousClock.now
        floodAll(perPublisher, control: control)
        let done = try await exporter.waitUntilAccepted(total + Double(2_000 * publishers.count))
        let exporterRate = total / seconds(done.at - start)
        let counted = try await exporter.accepted() - Double(2_000 * publishers.count)
        let rejected = try await exporter.rejected()
        exporter.stop()

        let beam = try await startSubscriber(cluster, publishers: publishers)
        nodes.append(beam)
        try await control.connect("e2esub")
        for alive in publishers { try await control.waitForMembers(on: alive, ["e2esub@localhost"], only: true) }
        control.send(.tuple([.atom("expect"), .pid(control.pid), .integer(Int(total))]), to: "e2e_sub", on: "e2esub")
        _ = try await control.answer { $0.tagged("expecting") }
        let beamStart = ContinuousClock.now
        floodAll(perPublisher, control: control)
        _ = try await control.answer { $0.tagged("done") }
        let beamRate = total / seconds(ContinuousClock.now - beamStart)
        print(
            String(
                format:
                    "    exporter %8.0f msg/s (%.0f of %.0f counted, %.0f rejected)   BEAM subscriber %8.0f msg/s   %.2fx the BEAM's rate (target >= 200000 msg/s, or the BEAM's if lower)",
                exporterRate, counted, total, rejected, beamRate, exporterRate / beamRate))
    }

    static func floodAll(_ count: Int, control: ControlNode) {
        for alive in publishers {
            control.send(.tuple([.atom("flood"), .pid(control.pid), .integer(count)]), to: "e2e_pub", on: alive)
        }
    }

    // MARK: - Broadcast to scrape

    /// One publisher sends `pacedRate` broadcasts per second, one probe every 10 ms among them;
    /// a scraper on a thread of its own reads /metrics back to back over one kept-alive connection
    /// (as Prometheus scrapes) and notes when each probe's
    /// value first shows. Latency = that scrape's end minus the probe's send time (both wall
    /// clock, same machine), so it includes up to one whole scrape.
    static func scrapeLatency(_ settings: Settings, fixtures: ErlangFixtures) async throws {
        let cluster = try await ErlangCluster(fixtures: fixtures)
        let publisher = try await cluster.startNode("e2epub1", expression: "e2e_bench:publisher()")
        defer { publisher.stopNow() }
        let exporter = try await BenchExporter(
            binary: settings.exporterBinary, seeds: ["e2epub1@localhost"], cluster: cluster, secret: secret)
        defer { exporter.stop() }
        let control = try await ControlNode.joined(cluster, ["e2epub1"])
        defer { control.stop() }
        try await control.waitForMembers(on: "e2epub1", [BenchExporter.name])
        let scraper = ProbeScraper(port: exporter.port)
        let scraping = scraper.start()
        control.send(
            .tuple([
                .atom("paced"), .pid(control.pid), .integer(settings.pacedRate), .integer(settings.pacedSeconds * 1000),
                .integer(10),
            ]), to: "e2e_pub", on: "e2epub1")
        let probes = try await control.answer { term -> [(Int, Double)]? in
            guard let elements = term.tagged("paced"), elements.count == 4, case .list(let list) = elements[3] else {
                return nil
            }
            return list.compactMap { probe in
                guard case .tuple(let pair) = probe, pair.count == 2, case .integer(let k) = pair[0],
                    case .integer(let micros) = pair[1]
                else { return nil }
                return (k, Double(micros) / 1e6)
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        let seen = await scraper.stop(scraping)
        let latencies = probes.compactMap { k, sentAt in seen.firstSeen[k].map { $0 - sentAt } }.sorted()
        guard !latencies.isEmpty else {
            print("    no probe was seen in a scrape (\(seen.scrapes) scrapes)")
            return
        }
        let percentile = { (p: Double) in latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000 }
        print(
            String(
                format:
                    "  Broadcast -> visible in a scrape, %d msg/s for %d s: %d probes, p50 %.3f ms, p99 %.3f ms, max %.3f ms (target p99 <= 1 ms); %d scrapes, %.0f µs each",
                settings.pacedRate, settings.pacedSeconds, latencies.count, percentile(0.5), percentile(0.99),
                (latencies.last ?? .nan) * 1000, seen.scrapes, seen.meanScrapeSeconds * 1e6))
    }
}

extension ControlNode {
    /// As `waitForMembers(on:_:)`; with `only`, also until no other node is listed (a stopped
    /// subscriber's member is gone once the publisher's pg has seen its connection drop).
    func waitForMembers(on alive: String, _ nodes: [String], only: Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            try await waitForMembers(on: alive, nodes)
            send(.tuple([.atom("members"), .pid(pid)]), to: "e2e_pub", on: alive)
            let members = try await answer { term -> [Term]? in
                guard let elements = term.tagged("members"), elements.count == 3 else { return nil }
                if case .list(let list) = elements[2] { return list }
                return []
            }
            if !only || members.count == nodes.count { return }
            guard ContinuousClock.now < deadline else {
                throw ErlangTools.Failure(description: "\(alive) still lists \(members)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// Scrapes /metrics back to back on a thread of its own and notes when each probe value shows.
final class ProbeScraper: Sendable {
    struct Seen: Sendable {
        var firstSeen: [Int: Double] = [:]
        var scrapes = 0
        var scrapeSeconds = 0.0
        var meanScrapeSeconds: Double { scrapes > 0 ? scrapeSeconds / Double(scrapes) : .nan }
    }

    private let port: Int
    private let running = Atomic<Bool>(true)
    private let seen = Mutex(Seen())

    init(port: Int) { self.port = port }

    /// Starts the thread; the task returned ends when it does.
    func start() -> Task<Void, Never> {
        Task {
            await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    scrapeUntilStopped()
                    finished.resume()
                }
                thread.start()
            }
        }
    }

    func stop(_ task: Task<Void, Never>) async -> Seen {
        running.store(false, ordering: .relaxed)
        await task.value
        return seen.withLock { $0 }
    }

    private func scrapeUntilStopped() {
        var highest = 0
        var connection: LoopbackHTTP.KeepAlive?
        while running.load(ordering: .relaxed) {
            let start = Date().timeIntervalSince1970
            if connection == nil { connection = try? LoopbackHTTP.KeepAlive(port: port) }
            guard let body = try? connection?.get("/metrics") else {
                connection = nil
                continue
            }
            let end = Date().timeIntervalSince1970
            let value = LoopbackHTTP.sample(body, "exesdb_latency_reported_seconds", [#"operation="probe""#])
            let probe = value.map { Int(($0 * 1000).rounded()) } ?? 0
            seen.withLock { seen in
                seen.scrapes += 1
                seen.scrapeSeconds += end - start
                if probe > highest {
                    for k in (highest + 1)...probe { seen.firstSeen[k] = end }
                }
            }
            highest = max(highest, probe)
        }
    }
}
