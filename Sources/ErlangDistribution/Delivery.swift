import ErlangTerm

/// A message that arrived for a local process.
public struct Delivery: Sendable {
    /// The node the frame came from.
    public let peer: String
    /// The sending process, when the control message names it (SEND_SENDER, REG_SEND, ALIAS_SEND).
    public let sender: Pid?
    /// The message, decoded lazily from the frame's bytes.
    public let message: TermView

    public init(peer: String, sender: Pid?, message: TermView) {
        self.peer = peer
        self.sender = sender
        self.message = message
    }
}

/// A message for a process that takes its messages as bytes (`LocalNode.spawnRaw`): the term at
/// `bytes[offset...]`, version byte first, exactly as it arrived and not validated.
public struct RawDelivery: Sendable {
    /// The node the frame came from.
    public let peer: String
    /// The sending process, when the control message names it.
    public let sender: Pid?
    public let bytes: [UInt8]
    public let offset: Int
    /// The connection's limits, which decoding the term honours.
    public let limits: TermDecodingLimits

    public init(peer: String, sender: Pid?, bytes: [UInt8], offset: Int, limits: TermDecodingLimits = .default) {
        self.peer = peer
        self.sender = sender
        self.bytes = bytes
        self.offset = offset
        self.limits = limits
    }

    /// The term decoded, as a `Delivery` carries it; nil when the bytes are not one whole term.
    public func decoded() -> Delivery? {
        guard let view = try? TermView(parsing: bytes, at: offset, wholeInput: true, limits: limits) else { return nil }
        return Delivery(peer: peer, sender: sender, message: view)
    }
}

/// What a local process needs to reach a connected peer.
public protocol PeerRoute: AnyObject, Sendable {
    /// The peer's node name.
    var peerName: String { get }
    /// The flags both sides agreed on.
    var negotiated: DistributionFlags { get }
    /// Queues one control message (and its payload) for the peer.
    func send(_ control: ControlMessage, payload: Term?)
}
