/// Either side of the handshake, as the connection handler drives it.
enum HandshakeState {
    case outgoing(OutgoingHandshake)
    case incoming(IncomingHandshake)

    var peerLabel: String {
        switch self {
        case .outgoing(let state): state.peerLabel
        case .incoming(let state): state.peerLabel
        }
    }

    /// What this side sends before hearing anything.
    var openingMessages: [[UInt8]] {
        switch self {
        case .outgoing(let state): [state.nameMessage()]
        case .incoming: []
        }
    }

    /// Whether the peer's verdict on our digest is what we wait for: a close now means the
    /// cookies differ.
    var awaitsDigestVerdict: Bool {
        if case .outgoing(let state) = self { return state.step == .awaitingAck }
        return false
    }

    /// Whether our name message is still unanswered: a close now means the peer refused it.
    var awaitsStatus: Bool {
        if case .outgoing(let state) = self { return state.step == .awaitingStatus }
        return false
    }

    /// The step this side waits in, for messages (`awaitingChallenge`).
    var stage: String {
        switch self {
        case .outgoing(let state): "\(state.step)"
        case .incoming(let state): "\(state.step)"
        }
    }

    mutating func receive(
        _ message: [UInt8]
    ) throws(DistributionError) -> (replies: [[UInt8]], result: HandshakeResult?) {
        switch self {
        case .outgoing(var state):
            defer { self = .outgoing(state) }
            return try state.receive(message)
        case .incoming(var state):
            defer { self = .incoming(state) }
            return try state.receive(message)
        }
    }
}
