/// The accepting side of the handshake (node B), as a pure state machine: feed it the
/// initiator's messages, send what it returns.
struct IncomingHandshake {
    enum Step { case awaitingName, awaitingComplement, awaitingReply, done }

    private(set) var step = Step.awaitingName
    let localName: String
    let creation: UInt32
    let cookie: Cookie
    let ownChallenge: UInt32
    private var peer: HandshakeResult?
    private(set) var peerLabel = "an incoming node"

    init(localName: String, creation: UInt32, cookie: Cookie, ownChallenge: UInt32) {
        self.localName = localName
        self.creation = creation
        self.cookie = cookie
        self.ownChallenge = ownChallenge
    }

    mutating func receive(
        _ message: [UInt8]
    ) throws(DistributionError) -> (replies: [[UInt8]], result: HandshakeResult?) {
        guard let tag = message.first else { throw protocolError("empty handshake message") }
        switch (step, tag) {
        case (.awaitingName, UInt8(ascii: "N")), (.awaitingName, UInt8(ascii: "n")):
            return (try receiveName(message), nil)
        case (.awaitingComplement, UInt8(ascii: "c")):
            step = .awaitingReply
            return ([], nil)
        case (.awaitingReply, UInt8(ascii: "r")):
            let ack = try receiveReply(message)
            return ([ack], peer)
        default:
            throw protocolError("unexpected message '\(Character(Unicode.Scalar(tag)))' while \(step)")
        }
    }

    private mutating func receiveName(_ message: [UInt8]) throws(DistributionError) -> [[UInt8]] {
        let announcement = try NodeAnnouncement(message, withChallenge: false, peer: peerLabel)
        let (isNew, flags, peerCreation, name) =
            (announcement.isNew, announcement.flags, announcement.creation, announcement.name)
        peerLabel = name
        let missing = DistributionFlags.mandatoryOTP25.subtracting(flags)
        guard missing.isEmpty else { throw .missingFlags(node: name, missing: missing.names) }
        peer = HandshakeResult(peerName: name, peerFlags: flags, peerCreation: peerCreation)
        step = isNew ? .awaitingReply : .awaitingComplement
        var challenge: [UInt8] = [UInt8(ascii: "N")]
        challenge.appendBigEndian(DistributionFlags.advertised.rawValue)
        challenge.appendBigEndian(ownChallenge)
        challenge.appendBigEndian(creation)
        let ownName = Array(localName.utf8)
        challenge.appendBigEndian(UInt16(ownName.count))
        challenge += ownName
        return [Array("sok".utf8), challenge]
    }

    private mutating func receiveReply(_ message: [UInt8]) throws(DistributionError) -> [UInt8] {
        guard message.count >= 21 else { throw protocolError("challenge reply of \(message.count) bytes") }
        let theirChallenge = message[1..<5].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard constantTimeEquals(Array(message[5..<21]), handshakeDigest(challenge: ownChallenge, cookie: cookie))
        else {
            throw .peerFailedAuthentication(node: peerLabel)
        }
        step = .done
        return [UInt8(ascii: "a")] + handshakeDigest(challenge: theirChallenge, cookie: cookie)
    }

    private func protocolError(_ detail: String) -> DistributionError {
        .handshakeProtocol(node: peerLabel, detail: detail)
    }
}
