@_spi(Fuzzing) import ErlangDistribution

/// The handshake messages (`OutgoingHandshake`, `IncomingHandshake`, `NodeAnnouncement`), either
/// side. The input's first byte picks the side, the protocol version and whether the harness
/// puts the right digest in the peer's challenge reply or ack (so that libFuzzer gets past the
/// MD5 to the end); the rest is the peer's messages, each after a 2-byte length as on the wire.
///
/// Beyond not crashing: the handshake completes only on the digest of our own challenge, with
/// the mandatory flags, and names the peer its announcement names; our reply proves the cookie
/// for the challenge the peer sent; the incoming side's ack answers the reply's challenge.
final class HandshakeTarget: FuzzTarget {
    static let cookie = Cookie("fuzz-cookie")
    static let ownChallenge: UInt32 = 0x5EED_1234

    func run(_ input: [UInt8]) {
        guard let mode = input.first else { return }
        let outgoing = mode & 1 == 0
        let honest = mode & 4 != 0
        var machine =
            outgoing
            ? HandshakeMachine.outgoing(
                localName: "exesdb_exporter@fuzz", peerLabel: "ex_esdb@host-1", cookie: Self.cookie,
                ownChallenge: Self.ownChallenge, useVersion5: mode & 2 != 0)
            : HandshakeMachine.incoming(
                localName: "exesdb_exporter@fuzz", cookie: Self.cookie, ownChallenge: Self.ownChallenge)
        var announced: String?
        var offset = 1
        while offset + 2 <= input.count {
            let length = Int(input[offset]) << 8 | Int(input[offset + 1])
            offset += 2
            var message = Array(input[offset..<min(input.count, offset + length)])
            offset += length
            if honest { proveCookie(in: &message, outgoing: outgoing) }
            if let tag = message.first, tag == UInt8(ascii: "N") || tag == UInt8(ascii: "n"), announced == nil {
                announced = Self.announcedName(message, withChallenge: outgoing)
            }
            let replies: [[UInt8]]
            let result: HandshakeResult?
            do throws(DistributionError) {
                (replies, result) = try machine.receive(message)
            } catch {
                return
            }
            check(replies, answering: message, outgoing: outgoing)
            if let result {
                let proof = outgoing ? message.dropFirst().prefix(16) : message.dropFirst(5).prefix(16)
                require(
                    Array(proof) == HandshakeMachine.digest(challenge: Self.ownChallenge, cookie: Self.cookie),
                    "the handshake completed without the digest of our challenge")
                require(result.peerFlags.isSuperset(of: .mandatoryOTP25), "completed without the mandatory flags")
                require(
                    result.peerName == announced,
                    "completed as \(result.peerName), announced \(String(describing: announced))")
                return
            }
        }
    }

    /// Puts the digest of our challenge where the peer's proof goes: in the ack ('a') for the
    /// outgoing side, in the challenge reply ('r') for the incoming one.
    private func proveCookie(in message: inout [UInt8], outgoing: Bool) {
        let digest = HandshakeMachine.digest(challenge: Self.ownChallenge, cookie: Self.cookie)
        if outgoing, message.first == UInt8(ascii: "a"), message.count >= 17 {
            message.replaceSubrange(1..<17, with: digest)
        } else if !outgoing, message.first == UInt8(ascii: "r"), message.count >= 21 {
            message.replaceSubrange(5..<21, with: digest)
        }
    }

    /// Our answers, read back independently of the product's parsing.
    private func check(_ replies: [[UInt8]], answering message: [UInt8], outgoing: Bool) {
        guard let tag = message.first else { return }
        if outgoing, tag == UInt8(ascii: "N") || tag == UInt8(ascii: "n") {
            // The challenge: after 'N' and 8 bytes of flags, or 'n', a version and 4 bytes of flags.
            let at = tag == UInt8(ascii: "N") ? 9 : 7
            let challenge = Self.u32(message, at)
            guard let reply = replies.last else { return require(false, "no challenge reply") }
            require(
                reply.count == 21 && reply[0] == UInt8(ascii: "r") && Self.u32(reply, 1) == Self.ownChallenge
                    && Array(reply[5...]) == HandshakeMachine.digest(challenge: challenge, cookie: Self.cookie),
                "the challenge reply does not prove the cookie for challenge \(challenge)")
        }
        if !outgoing, tag == UInt8(ascii: "r") {
            let theirs = Self.u32(message, 1)
            require(
                replies == [[UInt8(ascii: "a")] + HandshakeMachine.digest(challenge: theirs, cookie: Self.cookie)],
                "the ack does not prove the cookie for challenge \(theirs)")
        }
    }

    /// The node name in a name ('N'/'n' without a challenge) or challenge message.
    static func announcedName(_ message: [UInt8], withChallenge: Bool) -> String? {
        if message.first == UInt8(ascii: "n") {
            let start = withChallenge ? 11 : 7
            return message.count >= start ? String(decoding: message[start...], as: UTF8.self) : nil
        }
        let lengthAt = withChallenge ? 17 : 13
        guard message.count >= lengthAt + 2 else { return nil }
        let length = Int(message[lengthAt]) << 8 | Int(message[lengthAt + 1])
        guard message.count >= lengthAt + 2 + length else { return nil }
        return String(decoding: message[(lengthAt + 2)..<(lengthAt + 2 + length)], as: UTF8.self)
    }

    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        guard bytes.count >= at + 4 else { return 0 }
        return bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Whole conversations between our two sides, in every mode, as seeds.
    static func seeds() -> [[UInt8]] {
        func framed(_ messages: [[UInt8]]) -> [UInt8] {
            messages.flatMap { [UInt8($0.count >> 8), UInt8($0.count & 0xff)] + $0 }
        }
        var seeds: [[UInt8]] = []
        for mode: UInt8 in [0, 2, 4, 6, 1, 5] {
            let outgoing = mode & 1 == 0
            var us =
                outgoing
                ? HandshakeMachine.outgoing(
                    localName: "exesdb_exporter@fuzz", peerLabel: "ex_esdb@host-1", cookie: cookie,
                    ownChallenge: ownChallenge, useVersion5: mode & 2 != 0)
                : HandshakeMachine.incoming(
                    localName: "exesdb_exporter@fuzz", cookie: cookie, ownChallenge: ownChallenge)
            var peer =
                outgoing
                ? HandshakeMachine.incoming(localName: "ex_esdb@host-1", cookie: cookie, ownChallenge: 77)
                : HandshakeMachine.outgoing(
                    localName: "ex_esdb@host-1", peerLabel: "exesdb_exporter@fuzz", cookie: cookie, ownChallenge: 77,
                    useVersion5: false)
            var toUs = peer.openingMessages
            var toPeer = us.openingMessages
            var heard: [[UInt8]] = []
            for _ in 0..<6 {
                for message in toPeer { toUs += (try? peer.receive(message))?.replies ?? [] }
                toPeer = []
                for message in toUs {
                    heard.append(message)
                    toPeer += (try? us.receive(message))?.replies ?? []
                }
                toUs = []
            }
            seeds.append([mode] + framed(heard))
        }
        return seeds
    }
}
