import BEAMPeers
import ExporterHTTP
import MetricsTestKit
import Synchronization
import Testing

/// Slow, silent and surplus clients cannot hold the server's connections (issue 14, item 2), and
/// HTTP/1.0 and `Connection: close` are answered in kind and closed (item 8). Real connections
/// on loopback; the deadlines are short here so that the tests are.
@Suite(.serialized) struct ConnectionLimitsTests {
    static let limits = ConnectionLimits(
        readHeaderTimeout: .milliseconds(800), idleTimeout: .milliseconds(1500), maxConnections: 256)

    /// Slowloris: each client sends a request head one byte at a time and never ends it. Each is
    /// closed once the read-header timeout has passed (without an answer), counted, and scrapes
    /// go on being answered meanwhile. Before, such connections stayed open for five minutes.
    @Test func slowClientsAreClosedAtTheReadHeaderTimeoutWhileScrapesGoOn() async throws {
        let metrics = TestMetrics()
        try await withServer(CannedSources().sources(), limits: Self.limits, metrics: metrics) { running in
            let port = running.port
            let clients = 40
            let closings = try await withThrowingTaskGroup(of: (Duration?, [UInt8]).self) { group in
                for _ in 0..<clients {
                    group.addTask {
                        try await RawConnection.with(port: port) { connection in
                            // On a busy machine this task may first run after the server has
                            // already closed the connection at its timeout: the send fails, and
                            // the close is still timed from the connect.
                            try? await connection.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                            let closed = await connection.trickle("a", every: .milliseconds(100), for: .seconds(20))
                            return (closed, connection.leftover())
                        }
                    }
                }
                // Scrapes are answered while the slow clients hold their connections.
                for _ in 0..<3 { #expect(try await curl(running.url("/metrics")).status == 200) }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(closings.count == clients)
            for (closed, leftover) in closings {
                let after = try #require(closed, "a slow client still had its connection after 20 s")
                #expect(after >= .milliseconds(700), "closed after \(after), before the timeout")
                #expect(leftover.isEmpty, "no answer to a request that never ended")
            }
            let timeouts = try metrics.expectCounter(HTTPSTests.rejected, [("reason", "header_timeout")])
            #expect(timeouts.totalValue == Int64(clients))
        }
    }

    /// A connection that sends nothing at all is closed at the read-header timeout too.
    @Test func aSilentConnectionIsClosedAtTheReadHeaderTimeout() async throws {
        let metrics = TestMetrics()
        try await withServer(CannedSources().sources(), limits: Self.limits, metrics: metrics) { running in
            let closed = try await RawConnection.with(port: running.port) { connection in
                try await connection.closedByServer(within: .seconds(20))
            }
            let after = try #require(closed, "the silent connection is still open after 20 s")
            #expect(after >= .milliseconds(700))
            #expect(try metrics.expectCounter(HTTPSTests.rejected, [("reason", "header_timeout")]).totalValue == 1)
        }
    }

    /// A kept-alive connection is served again, then closed once idle for the idle timeout;
    /// that is no rejection.
    @Test func anIdleKeptAliveConnectionIsClosedAtTheIdleTimeout() async throws {
        let metrics = TestMetrics()
        try await withServer(CannedSources().sources(), limits: Self.limits, metrics: metrics) { running in
            let closed = try await RawConnection.with(port: running.port) { connection in
                var lastAsked = ContinuousClock.now
                for _ in 0..<2 {
                    // The server's idle time starts once it has answered, after this.
                    lastAsked = ContinuousClock.now
                    try await connection.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    let (head, body) = try await connection.answer()
                    #expect(head.hasPrefix("HTTP/1.1 200"))
                    #expect(body == CannedExposition.prometheusText)
                }
                return try await connection.closedByServer(within: .seconds(20), since: lastAsked)
            }
            let after = try #require(closed, "the idle connection is still open after 20 s")
            #expect(after >= .milliseconds(1300), "closed after \(after), before the idle timeout")
            let timeouts = try? metrics.expectCounter(HTTPSTests.rejected, [("reason", "header_timeout")])
            #expect((timeouts?.totalValue ?? 0) == 0)
        }
    }

    /// With every place taken, one more connection is closed at once without an answer and
    /// counted; once a place frees, scrapes are answered again.
    @Test func aConnectionBeyondTheLimitIsClosedAtOnceAndCounted() async throws {
        let metrics = TestMetrics()
        let limits = ConnectionLimits(readHeaderTimeout: .seconds(60), idleTimeout: .seconds(60), maxConnections: 4)
        try await withServer(CannedSources().sources(), limits: limits, metrics: metrics) { running in
            let port = running.port
            let held = Toggle(true)
            let answered = Tally()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await RawConnection.with(port: port) { connection in
                            // Answered: the server has accepted and counted this connection.
                            try await connection.send("GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                            _ = try await connection.answer()
                            answered.add()
                            while held.isOn { try await Task.sleep(for: .milliseconds(20)) }
                        }
                    }
                }
                try await eventually("four connections held", timeout: .seconds(30)) { answered.value == 4 }
                let surplus = try await RawConnection.with(port: port) { connection in
                    try? await connection.send("GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    let closed = try await connection.closedByServer(within: .seconds(10))
                    return (closed, connection.leftover())
                }
                #expect(surplus.0 != nil, "the fifth connection was kept")
                #expect(surplus.1.isEmpty, "and it got no answer")
                #expect(
                    try metrics.expectCounter(HTTPSTests.rejected, [("reason", "connection_limit")]).totalValue == 1)
                held.isOn = false
                try await group.waitForAll()
            }
            try await eventually("served again", timeout: .seconds(10)) {
                (try? await curl(running.url("/-/healthy")).status) == 200
            }
        }
    }

    /// HTTP/1.0 without keep-alive is answered as HTTP/1.0 and closed after the answer; before,
    /// the answer said HTTP/1.1 and the connection stayed open.
    @Test func http10IsAnsweredInKindAndClosed() async throws {
        try await withServer(CannedSources().sources(), limits: Self.limits) { running in
            try await RawConnection.with(port: running.port) { connection in
                try await connection.send("GET /metrics HTTP/1.0\r\n\r\n")
                let (head, body) = try await connection.answer()
                #expect(head.hasPrefix("HTTP/1.0 200"), "\(head)")
                #expect(head.lowercased().contains("connection: close"), "\(head)")
                #expect(body == CannedExposition.prometheusText)
                let closed = try await connection.closedByServer(within: .milliseconds(500))
                #expect(closed != nil, "the connection must be closed after the answer, not at a timeout")
            }
        }
    }

    /// HTTP/1.1 with `Connection: close` is closed after its answer; HTTP/1.0 with
    /// `Connection: keep-alive` is kept and served again.
    @Test func connectionHeadersAreHonoured() async throws {
        try await withServer(CannedSources().sources(), limits: Self.limits) { running in
            try await RawConnection.with(port: running.port) { connection in
                try await connection.send("GET /-/healthy HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n")
                let (head, _) = try await connection.answer()
                #expect(head.hasPrefix("HTTP/1.1 200") && head.lowercased().contains("connection: close"), "\(head)")
                #expect(try await connection.closedByServer(within: .milliseconds(500)) != nil)
            }
            try await RawConnection.with(port: running.port) { connection in
                for _ in 0..<2 {
                    try await connection.send("GET /-/healthy HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                    let (head, body) = try await connection.answer()
                    #expect(head.hasPrefix("HTTP/1.0 200"), "\(head)")
                    #expect(head.lowercased().contains("connection: keep-alive"), "\(head)")
                    #expect(body == "OK\n")
                }
                #expect(connection.channel.isActive)
            }
        }
    }
}

/// A switch one task flips while others read it.
final class Toggle: Sendable {
    private let state: Mutex<Bool>
    init(_ isOn: Bool) { state = Mutex(isOn) }
    var isOn: Bool {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}

/// A count several tasks add to.
final class Tally: Sendable {
    private let state = Mutex(0)
    func add() { state.withLock { $0 += 1 } }
    var value: Int { state.withLock { $0 } }
}
