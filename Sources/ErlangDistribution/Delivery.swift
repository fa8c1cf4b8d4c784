import ErlangTerm
import Foundation

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

/// A message for an inline process (`LocalNode.spawnInline`), read where it arrived: the term at
/// `bytes[offset...]`, version byte first, exactly as it came and not validated.
///
/// Not `Sendable`, and valid only during `InlineReceiver.receive`: `bytes` is the connection's
/// read buffer (or, for a local send, a temporary one). Copy what must outlive the call.
public struct InlineDelivery {
    /// The node the frame came from.
    public let peer: String
    /// The sending process, when the control message names it.
    public let sender: Pid?
    public let bytes: UnsafeBufferPointer<UInt8>
    public let offset: Int
    /// The connection's limits, which decoding the term honours.
    public let limits: TermDecodingLimits
    /// When the read that brought it happened (Unix seconds): one clock reading serves every
    /// frame of a read.
    public let arrivedAt: Double

    public init(
        peer: String, sender: Pid?, bytes: UnsafeBufferPointer<UInt8>, offset: Int,
        limits: TermDecodingLimits = .default, arrivedAt: Double = Date().timeIntervalSince1970
    ) {
        self.peer = peer
        self.sender = sender
        self.bytes = bytes
        self.offset = offset
        self.limits = limits
        self.arrivedAt = arrivedAt
    }

    /// The term decoded into bytes of its own, as a `Delivery` carries it; nil when the bytes are
    /// not one whole term.
    public func decoded() -> Delivery? {
        let owned = Array(bytes)
        guard let view = try? TermView(parsing: owned, at: offset, wholeInput: true, limits: limits) else { return nil }
        return Delivery(peer: peer, sender: sender, message: view)
    }
}

/// A process whose messages are handled on the thread that read them, while their bytes are still
/// in the read buffer: no task hop, no copy, no queue (`LocalNode.spawnInline`).
public protocol InlineReceiver: AnyObject, Sendable {
    /// Called on the thread that read the frame (a connection's event loop), in the order its peer
    /// sent them; for several peers, on several threads at once. It must not block or wait: what
    /// must wait is handed on.
    func receive(_ delivery: InlineDelivery)
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
