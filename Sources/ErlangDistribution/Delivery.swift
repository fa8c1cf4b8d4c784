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

/// What a local process needs to reach a connected peer.
public protocol PeerRoute: AnyObject, Sendable {
    /// The peer's node name.
    var peerName: String { get }
    /// The flags both sides agreed on.
    var negotiated: DistributionFlags { get }
    /// Queues one control message (and its payload) for the peer.
    func send(_ control: ControlMessage, payload: Term?)
}
