import Crypto

/// What the handshake settled: who the peer is and what both sides can do.
public struct HandshakeResult: Sendable, Equatable {
    public let peerName: String
    public let peerFlags: DistributionFlags
    public let peerCreation: UInt32
    /// The flags both sides offered: what the connection may use.
    public var negotiated: DistributionFlags { peerFlags.intersection(.advertised) }
}

/// The digest both sides prove the cookie with: MD5 of the cookie followed by the challenge in
/// decimal (erts `erl_dist_protocol.md`, "Definitions").
func handshakeDigest(challenge: UInt32, cookie: Cookie) -> [UInt8] {
    var md5 = Insecure.MD5()
    md5.update(data: cookie.bytes)
    md5.update(data: Array(String(challenge).utf8))
    return Array(md5.finalize())
}

/// The initiating side of the handshake (node A), as a pure state machine: feed it the peer's
/// messages (without their 2-byte length), send what it returns.
struct OutgoingHandshake {
    enum Step { case awaitingStatus, awaitingChallenge, awaitingAck, done }

    private(set) var step = Step.awaitingStatus
    let localName: String
    let peerLabel: String
    let creation: UInt32
    let cookie: Cookie
    let ownChallenge: UInt32
    /// Protocol version 5 peers (OTP 22 and older per EPMD) get the old name message.
    let useVersion5: Bool
    private var peer: HandshakeResult?

    init(
        localName: String, peerLabel: String, creation: UInt32, cookie: Cookie, ownChallenge: UInt32, useVersion5: Bool
    ) {
        self.localName = localName
        self.peerLabel = peerLabel
        self.creation = creation
        self.cookie = cookie
        self.ownChallenge = ownChallenge
        self.useVersion5 = useVersion5
    }

    /// send_name: 'N' with 64-bit flags, or 'n' with version 5 and 32-bit flags.
    func nameMessage() -> [UInt8] {
        var message: [UInt8] = []
        let name = Array(localName.utf8)
        if useVersion5 {
            message.append(UInt8(ascii: "n"))
            message.appendBigEndian(UInt16(5))
            message.appendBigEndian(UInt32(truncatingIfNeeded: DistributionFlags.advertised.rawValue))
        } else {
            message.append(UInt8(ascii: "N"))
            message.appendBigEndian(DistributionFlags.advertised.rawValue)
            message.appendBigEndian(creation)
            message.appendBigEndian(UInt16(name.count))
        }
        return message + name
    }

    /// Handles one handshake message; returns the messages to send back, and the result once done.
    mutating func receive(
        _ message: [UInt8]
    ) throws(DistributionError) -> (replies: [[UInt8]], result: HandshakeResult?) {
        guard let tag = message.first else { throw protocolError("empty handshake message") }
        switch (step, tag) {
        case (.awaitingStatus, UInt8(ascii: "s")):
            return (try receiveStatus(String(decoding: message.dropFirst(), as: UTF8.self)), nil)
        case (.awaitingChallenge, UInt8(ascii: "N")), (.awaitingChallenge, UInt8(ascii: "n")):
            return (try receiveChallenge(message), nil)
        case (.awaitingAck, UInt8(ascii: "a")):
            try receiveAck(message)
            return ([], peer)
        default:
            throw protocolError("unexpected message '\(Character(Unicode.Scalar(tag)))' while \(step)")
        }
    }

    private mutating func receiveStatus(_ status: String) throws(DistributionError) -> [[UInt8]] {
        switch status {
        case "ok", "ok_simultaneous":
            step = .awaitingChallenge
            return []
        case "alive":
            // The peer still holds a connection from our name: it is a dead one of ours, take over.
            step = .awaitingChallenge
            return [Array("strue".utf8)]
        default:
            throw .notAllowed(node: peerLabel, status: status)
        }
    }

    private mutating func receiveChallenge(_ message: [UInt8]) throws(DistributionError) -> [[UInt8]] {
        let announcement = try NodeAnnouncement(message, withChallenge: true, peer: peerLabel)
        let (isNew, flags, name) = (announcement.isNew, announcement.flags, announcement.name)
        let (challenge, peerCreation) = (announcement.challenge, announcement.creation)
        let missing = DistributionFlags.mandatoryOTP25.subtracting(flags)
        guard missing.isEmpty else { throw .missingFlags(node: name, missing: missing.names) }
        peer = HandshakeResult(peerName: name, peerFlags: flags, peerCreation: peerCreation)
        step = .awaitingAck
        var replies: [[UInt8]] = []
        if useVersion5 && isNew {
            // send_complement: the high flags and creation the old name message could not carry.
            var complement: [UInt8] = [UInt8(ascii: "c")]
            complement.appendBigEndian(UInt32(truncatingIfNeeded: DistributionFlags.advertised.rawValue >> 32))
            complement.appendBigEndian(creation)
            replies.append(complement)
        }
        var reply: [UInt8] = [UInt8(ascii: "r")]
        reply.appendBigEndian(ownChallenge)
        reply += handshakeDigest(challenge: challenge, cookie: cookie)
        replies.append(reply)
        return replies
    }

    private mutating func receiveAck(_ message: [UInt8]) throws(DistributionError) {
        guard message.count >= 17 else { throw protocolError("challenge ack of \(message.count) bytes") }
        let expected = handshakeDigest(challenge: ownChallenge, cookie: cookie)
        guard constantTimeEquals(Array(message[1..<17]), expected) else {
            throw .peerFailedAuthentication(node: peer?.peerName ?? peerLabel)
        }
        step = .done
    }

    private func protocolError(_ detail: String) -> DistributionError {
        .handshakeProtocol(node: peerLabel, detail: detail)
    }
}

func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}

/// Bounds-checked reads of a handshake message.
struct HandshakeReader {
    private let bytes: [UInt8]
    private var position = 0
    private let peer: String

    init(_ bytes: [UInt8], peer: String) {
        self.bytes = bytes
        self.peer = peer
    }

    mutating func u8() throws(DistributionError) -> UInt8 { UInt8(try read(1)) }
    mutating func u16() throws(DistributionError) -> UInt16 { UInt16(try read(2)) }
    mutating func u32() throws(DistributionError) -> UInt32 { UInt32(try read(4)) }
    mutating func u64() throws(DistributionError) -> UInt64 { try read(8) }

    mutating func text(count: Int) throws(DistributionError) -> String {
        guard bytes.count - position >= count else { throw short(count) }
        defer { position += count }
        return String(decoding: bytes[position..<(position + count)], as: UTF8.self)
    }

    func rest() -> String { String(decoding: bytes[position...], as: UTF8.self) }

    private mutating func read(_ count: Int) throws(DistributionError) -> UInt64 {
        guard bytes.count - position >= count else { throw short(count) }
        defer { position += count }
        return bytes[position..<(position + count)].reduce(0) { $0 << 8 | UInt64($1) }
    }

    private func short(_ count: Int) -> DistributionError {
        .handshakeProtocol(node: peer, detail: "message ends \(count) bytes early at byte \(position)")
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}

/// The 'N' / 'n' messages both sides announce themselves with: name message (from A) and
/// challenge message (from B, which adds a challenge).
struct NodeAnnouncement {
    let isNew: Bool
    let flags: DistributionFlags
    let challenge: UInt32
    let creation: UInt32
    let name: String

    init(_ message: [UInt8], withChallenge: Bool, peer: String) throws(DistributionError) {
        var reader = HandshakeReader(message, peer: peer)
        isNew = try reader.u8() == UInt8(ascii: "N")
        if isNew {
            flags = DistributionFlags(rawValue: try reader.u64())
            challenge = withChallenge ? try reader.u32() : 0
            creation = try reader.u32()
            name = try reader.text(count: Int(try reader.u16()))
        } else {
            // Version 5: a 2-byte version, 32-bit flags, and a name running to the end.
            _ = try reader.u16()
            flags = DistributionFlags(rawValue: UInt64(try reader.u32()))
            challenge = withChallenge ? try reader.u32() : 0
            creation = 0
            name = reader.rest()
        }
    }
}
