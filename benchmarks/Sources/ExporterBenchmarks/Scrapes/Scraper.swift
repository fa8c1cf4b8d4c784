import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// What a scraper asks for: the text format plain, or OpenMetrics gzipped (as Prometheus asks).
enum ScrapeMode: CaseIterable, CustomStringConvertible {
    case text, openMetricsGzip

    var request: ByteBuffer {
        switch self {
        case .text:
            ByteBuffer(string: "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        case .openMetricsGzip:
            ByteBuffer(
                string: "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5\r\n"
                    + "Accept-Encoding: gzip\r\n\r\n")
        }
    }

    var description: String { self == .text ? "text" : "OpenMetrics+gzip" }
}

/// The scrapes of one run: each one's duration, and those that did not end in time or failed.
final class ScrapeLog: Sendable {
    private let state = Mutex((durations: [Double](), timeouts: 0, failures: 0, bytes: 0))

    func answered(_ duration: Duration, bytes: Int) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        state.withLock {
            $0.durations.append(seconds)
            $0.bytes = bytes
        }
    }

    func timedOut() { state.withLock { $0.timeouts += 1 } }
    func failed() { state.withLock { $0.failures += 1 } }

    var durations: [Double] { state.withLock { $0.durations } }
    var timeouts: Int { state.withLock { $0.timeouts } }
    var failures: Int { state.withLock { $0.failures } }
    /// The size of the last body read.
    var bodyBytes: Int { state.withLock { $0.bytes } }
}

/// One scraper: a kept-alive connection on which it asks for /metrics again as soon as the
/// answer is in, until `deadline`. A scrape not answered within `timeout` closes the connection
/// (Prometheus's scrape timeout does the same) and a new one is made.
enum Scraper {
    private final class Flag: Sendable {
        private let raised = Atomic(false)
        func raise() { raised.store(true, ordering: .relaxed) }
        var isRaised: Bool { raised.load(ordering: .relaxed) }
    }

    struct BadAnswer: Error {}

    static func run(
        port: Int, mode: ScrapeMode, until deadline: ContinuousClock.Instant, timeout: Duration, log: ScrapeLog
    ) async {
        while ContinuousClock.now < deadline {
            let expired = Flag()
            do {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                        }
                    }
                try await channel.executeThenClose { inbound, outbound in
                    var answers = Answers(inbound.makeAsyncIterator())
                    while ContinuousClock.now < deadline {
                        let started = ContinuousClock.now
                        let watchdog = channel.channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                            expired.raise()
                            channel.channel.close(promise: nil)
                        }
                        try await outbound.write(mode.request)
                        let bytes = try await answers.next()
                        watchdog.cancel()
                        log.answered(ContinuousClock.now - started, bytes: bytes)
                    }
                }
            } catch {
                if expired.isRaised { log.timedOut() } else { log.failed() }
            }
        }
    }

    /// Reads answers off a connection: a 200 head and a body of its Content-Length.
    struct Answers {
        private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        private var pending = ByteBuffer()

        init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }

        /// The next answer's body size; throws when the connection ends or the answer is no 200.
        mutating func next() async throws -> Int {
            var head: (length: Int, body: Int)?
            while true {
                if head == nil { head = try Self.head(in: pending) }
                if let head, pending.readableBytes >= head.length + head.body {
                    pending.moveReaderIndex(forwardBy: head.length + head.body)
                    pending.discardReadBytes()
                    return head.body
                }
                guard var buffer = try await iterator.next() else { throw BadAnswer() }
                pending.writeBuffer(&buffer)
            }
        }

        /// The head's length (through its blank line) and the body's Content-Length.
        private static func head(in buffer: ByteBuffer) throws -> (length: Int, body: Int)? {
            let view = buffer.readableBytesView
            let separator: [UInt8] = Array("\r\n\r\n".utf8)
            guard let end = view.indices.first(where: { view[$0...].starts(with: separator) }) else { return nil }
            let text = String(decoding: view[view.startIndex..<end], as: UTF8.self).lowercased()
            guard text.hasPrefix("http/1.1 200"),
                let line = text.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
            else { throw BadAnswer() }
            return (end - view.startIndex + separator.count, length)
        }
    }
}
