import Foundation

/// A blocking HTTP/1.1 GET on loopback, one connection per request, for the benchmark's scrapes.
/// Called from threads of its own (never from the task pool), so blocking is fine here.
enum LoopbackHTTP {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The body of `GET path` on 127.0.0.1:`port`.
    static func get(port: Int, path: String) throws -> String {
        let descriptor = try connected(port: port)
        defer { close(descriptor) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw Failure(description: "send: errno \(errno)")
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += chunk[0..<count]
        }
        return try body(of: response)
    }

    private static func body(of response: [UInt8]) throws -> String {
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure(description: "no HTTP header in answer") }
        let head = text[..<split.lowerBound].lowercased()
        guard head.hasPrefix("http/1.1 200") else {
            throw Failure(description: "answer: \(head.prefix(80))")
        }
        let payload = String(text[split.upperBound...])
        return head.contains("transfer-encoding: chunked") ? dechunked(payload) : payload
    }

    private static func dechunked(_ payload: String) -> String {
        var rest = Substring(payload)
        var body = ""
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let start = lineEnd.upperBound
            let bytes = rest.utf8[start...].prefix(size)
            body += String(decoding: bytes, as: UTF8.self)
            rest = rest[rest.utf8.index(start, offsetBy: size)...].dropFirst(2)
        }
        return body
    }

    /// A connection kept open across requests, as Prometheus keeps its scrape connections.
    final class KeepAlive {
        private let descriptor: Int32
        private var pending: [UInt8] = []

        init(port: Int) throws {
            descriptor = try LoopbackHTTP.connected(port: port)
        }

        deinit { close(descriptor) }

        /// The body of `GET path`; the answer must carry a Content-Length (the exporter's do).
        func get(_ path: String) throws -> String {
            let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
            guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count else {
                throw Failure(description: "send: errno \(errno)")
            }
            let separator = Array("\r\n\r\n".utf8)
            var headEnd: Int?
            while headEnd == nil {
                headEnd = pending.indices.dropLast(3).first { pending[$0..<($0 + 4)].elementsEqual(separator) }
                if headEnd == nil { try fill() }
            }
            let head = String(decoding: pending[..<(headEnd ?? 0)], as: UTF8.self).lowercased()
            guard head.hasPrefix("http/1.1 200"),
                let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
            else { throw Failure(description: "answer without a 200 and a Content-Length: \(head.prefix(120))") }
            let start = (headEnd ?? 0) + 4
            while pending.count < start + length { try fill() }
            let body = String(decoding: pending[start..<(start + length)], as: UTF8.self)
            pending.removeFirst(start + length)
            return body
        }

        private func fill() throws {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw Failure(description: "connection closed") }
            pending += chunk[0..<count]
        }
    }

    static func connected(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw Failure(description: "connect to 127.0.0.1:\(port): errno \(errno)")
        }
        return descriptor
    }

    /// The sum of the samples of `family` whose lines contain every one of `labels` (`name="value"`);
    /// nil when there is none.
    static func sample(_ exposition: String, _ family: String, _ labels: [String] = []) -> Double? {
        // Read as bytes, a line at a time: the probe scraper reads every scrape this way, and
        // splitting 27 kB into Strings took it longer than the exporter took to answer (the
        // scraper then competed with the exporter for the two cores).
        var text = exposition
        let prefixes = [Array((family + "{").utf8), Array((family + " ").utf8)]
        let wanted = labels.map { Array($0.utf8) }
        var total: Double?
        text.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                let end = (start..<bytes.count).first { bytes[$0] == UInt8(ascii: "\n") } ?? bytes.count
                let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                guard prefixes.contains(where: { line.starts(with: $0) }),
                    wanted.allSatisfy({ contains(line, $0) }),
                    let space = line.lastIndex(of: UInt8(ascii: " ")),
                    let value = Double(String(decoding: line[(space + 1)...], as: UTF8.self))
                else { continue }
                total = (total ?? 0) + value
            }
        }
        return total
    }

    private static func contains(_ line: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard needle.count <= line.count else { return false }
        return (0...(line.count - needle.count)).contains { offset in
            line[offset..<(offset + needle.count)].elementsEqual(needle)
        }
    }
}
