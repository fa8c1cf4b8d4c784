/// Either side of the handshake, as the connection handler drives it, open to the fuzz target
/// `handshake` (Fuzz/, docs/proofs.md), which feeds it whatever libFuzzer makes.
@_spi(Fuzzing) public struct HandshakeMachine {
    private var state: HandshakeState

    /// The initiating side (node A), which speaks first; `useVersion5` as for a peer that EPMD
    /// says is of protocol version 5.
    public static func outgoing(
        localName: String, peerLabel: String, cookie: Cookie, ownChallenge: UInt32, useVersion5: Bool
    ) -> HandshakeMachine {
        HandshakeMachine(
            state: .outgoing(
                OutgoingHandshake(
                    localName: localName, peerLabel: peerLabel, creation: 7, cookie: cookie,
                    ownChallenge: ownChallenge, useVersion5: useVersion5)))
    }

    /// The accepting side (node B).
    public static func incoming(localName: String, cookie: Cookie, ownChallenge: UInt32) -> HandshakeMachine {
        HandshakeMachine(
            state: .incoming(
                IncomingHandshake(localName: localName, creation: 7, cookie: cookie, ownChallenge: ownChallenge)))
    }

    /// What this side sends before hearing anything.
    public var openingMessages: [[UInt8]] { state.openingMessages }

    /// One message from the peer (without its 2-byte length): the replies, and the result once done.
    public mutating func receive(
        _ message: [UInt8]
    ) throws(DistributionError) -> (replies: [[UInt8]], result: HandshakeResult?) {
        try state.receive(message)
    }

    /// The digest that proves `cookie` for `challenge`.
    public static func digest(challenge: UInt32, cookie: Cookie) -> [UInt8] {
        handshakeDigest(challenge: challenge, cookie: cookie)
    }
}
