import ErlangTerm
import NIOCore

/// The route to one connected peer: encodes control messages into pass-through frames
/// (`length | 112 | 131 control | 131 payload`) and writes them to the channel.
final class PeerLink: PeerRoute {
    let peerName: String
    let negotiated: DistributionFlags
    private let channel: any Channel

    init(peerName: String, negotiated: DistributionFlags, channel: any Channel) {
        self.peerName = peerName
        self.negotiated = negotiated
        self.channel = channel
    }

    func send(_ control: ControlMessage, payload: Term?) {
        channel.writeAndFlush(Self.frame(control, payload: payload, allocator: channel.allocator), promise: nil)
    }

    static func frame(_ control: ControlMessage, payload: Term?, allocator: ByteBufferAllocator) -> ByteBuffer {
        let encoder = TermEncoder(atomStyle: .utf8)
        var bytes: [UInt8] = [0, 0, 0, 0, 112]
        bytes += encoder.encode(control.term)
        if let payload { bytes += encoder.encode(payload) }
        let length = UInt32(bytes.count - 4)
        var buffer = allocator.buffer(capacity: bytes.count)
        buffer.writeInteger(length)
        buffer.writeBytes(bytes[4...])
        return buffer
    }
}
