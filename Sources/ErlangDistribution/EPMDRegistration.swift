import NIOCore

/// This node's entry in EPMD: it lasts as long as the connection that made it (closing it
/// unregisters the name, as the protocol defines).
public struct EPMDRegistration: Sendable {
    public let creation: UInt32
    let channel: any Channel

    public func close() async {
        try? await channel.close()
    }
}

extension EPMDClient {
    /// ALIVE2: registers `alive` as a hidden node listening on `port`; returns the creation EPMD
    /// assigns this incarnation.
    public func register(
        alive: String, port: Int, host: String = "localhost"
    ) async throws(DistributionError) -> EPMDRegistration {
        let name = Array(alive.utf8)
        var request: [UInt8] = [120]
        request.appendBigEndian(UInt16(port))
        request += [72, 0]  // hidden node, TCP/IPv4
        request.appendBigEndian(UInt16(6))
        request.appendBigEndian(UInt16(5))
        request.appendBigEndian(UInt16(name.count))
        request += name
        request.appendBigEndian(UInt16(0))
        let (channel, reply) = try await open(host: host, request: request) { bytes in
            guard bytes.count >= 2 else { return false }
            return bytes[1] != 0 || (bytes[0] == 118 && bytes.count >= 6) || (bytes[0] == 121 && bytes.count >= 4)
        }
        let bytes: [UInt8]
        do {
            bytes = try await reply.get()
        } catch {
            try? await channel.close()
            throw .epmdUnreachable(host: host, port: self.port, reason: "\(error)")
        }
        do {
            return EPMDRegistration(creation: try Self.parseAlive2(bytes, alive: alive, host: host), channel: channel)
        } catch {
            try? await channel.close()
            throw error
        }
    }

    static func parseAlive2(_ bytes: [UInt8], alive: String, host: String) throws(DistributionError) -> UInt32 {
        guard bytes.count >= 2, bytes[0] == 118 || bytes[0] == 121 else {
            throw .epmdProtocol(host: host, detail: "ALIVE2 reply of \(bytes.count) bytes starting \(bytes.first ?? 0)")
        }
        guard bytes[1] == 0 else { throw .nameInUse(name: alive, host: host) }
        if bytes[0] == 118, bytes.count >= 6 {
            return bytes[2..<6].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
        guard bytes.count >= 4 else { throw .epmdProtocol(host: host, detail: "ALIVE2_RESP of \(bytes.count) bytes") }
        return UInt32(bytes[2]) << 8 | UInt32(bytes[3])
    }
}
