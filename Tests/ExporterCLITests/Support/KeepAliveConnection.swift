import BEAMPeers
import Foundation
import Synchronization

/// One plain-HTTP/1.1 connection to 127.0.0.1 held open across requests (a POSIX socket), to show
/// what a reload or a shutdown does to a connection that already exists. Requests can be sent
/// and their answers read later, as a slow client would. The socket calls block, so each one
/// runs off the cooperative pool (`offThePool`), which the tests' other tasks need meanwhile.
final class KeepAliveConnection: Sendable {
    struct Answer: Sendable {
        let status: Int
        let headers: [String: String]
        let body: String
    }

    struct Closed: Error, CustomStringConvertible {
        var description: String { "the server closed the connection" }
    }

    private let socket: Int32
    /// Bytes read but not yet taken; one call at a time uses it (the tests await each one).
    private let pending = Mutex<[UInt8]>([])

    init(port: Int) async throws {
        socket = try await offThePool { try Self.connect(port: port) }
    }

    private static func connect(port: Int) throws -> Int32 {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var timeout = timeval(tv_sec: 20, tv_usec: 0)  // A hung server fails the test instead of hanging it.
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw ErlangTools.Failure(description: "cannot connect to 127.0.0.1:\(port): errno \(errno)")
        }
        return socket
    }

    deinit { close(socket) }

    /// Sends GET `path` without reading the answer.
    func send(_ path: String, authorization: (user: String, password: String)? = nil) async throws {
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let authorization {
            let token = Data("\(authorization.user):\(authorization.password)".utf8).base64EncodedString()
            request += "Authorization: Basic \(token)\r\n"
        }
        let bytes = Array((request + "\r\n").utf8)
        let written = try await offThePool { [socket] in write(socket, bytes, bytes.count) }
        guard written == bytes.count else { throw Closed() }
    }

    /// Reads one answer (Content-Length or chunked body).
    func receive() async throws -> Answer {
        try await offThePool { [self] in try receiveHere() }
    }

    func get(_ path: String, authorization: (user: String, password: String)? = nil) async throws -> Answer {
        try await send(path, authorization: authorization)
        return try await receive()
    }

    /// True once the server has closed its side (a read gives end of file).
    func isClosedByServer() async throws -> Bool {
        try await offThePool { [self] in
            var byte: UInt8 = 0
            return pending.withLock { $0.isEmpty } && recv(socket, &byte, 1, 0) == 0
        }
    }

    // What follows blocks the thread it runs on: only ever called through `offThePool`.

    private func receiveHere() throws -> Answer {
        let head = String(decoding: try readUntil(Array("\r\n\r\n".utf8)), as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let body: [UInt8]
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            body = try readChunks()
        } else {
            body = try read(Int(headers["content-length"] ?? "0") ?? 0)
        }
        return Answer(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    private func readChunks() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = String(decoding: try readUntil(Array("\r\n".utf8)), as: UTF8.self)
            guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else { throw Closed() }
            body += try read(size)
            _ = try read(2)
            if size == 0 { return body }
        }
    }

    private func readUntil(_ separator: [UInt8]) throws -> [UInt8] {
        while true {
            let taken = pending.withLock { pending -> [UInt8]? in
                guard let end = pending.indices.first(where: { pending[$0...].starts(with: separator) }) else {
                    return nil
                }
                defer { pending.removeFirst(end + separator.count) }
                return Array(pending[..<end])
            }
            if let taken { return taken }
            try fill()
        }
    }

    private func read(_ count: Int) throws -> [UInt8] {
        while pending.withLock({ $0.count }) < count { try fill() }
        return pending.withLock { pending in
            defer { pending.removeFirst(count) }
            return Array(pending[..<count])
        }
    }

    private func fill() throws {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(socket, &buffer, buffer.count, 0)
        guard count > 0 else { throw Closed() }
        pending.withLock { $0 += buffer[..<count] }
    }
}
