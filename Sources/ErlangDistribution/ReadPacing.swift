import NIOCore

/// When to ask the socket for more after a batch of reads. At once after a quiet spell (the first
/// broadcast in a while is handled without delay) and whenever a batch was large (we are behind);
/// otherwise, while broadcasts stream in, after a short pause, so that they are read many to a
/// read. Each read of a small batch costs a wake-up, a `read`, and (on loopback, the sender's
/// side of) an ACK: at a steady stream, more than the broadcasts themselves. The pause bounds the
/// delay it adds.
struct ReadPacing {
    static let pause = TimeAmount.microseconds(200)
    /// Batches closer together than this are a stream.
    static let streaming = TimeAmount.milliseconds(2)
    /// A batch this large means data waits: read again at once.
    static let largeBatch = 32 * 1024

    private var bytes = 0
    private var lastBatch = NIODeadline.distantPast

    mutating func received(_ count: Int) { bytes += count }

    /// How long to wait before the next read, after a batch ending `now`; nil to read at once.
    mutating func pauseAfterBatch(now: NIODeadline) -> TimeAmount? {
        defer { (bytes, lastBatch) = (0, now) }
        guard bytes < Self.largeBatch, now - lastBatch < Self.streaming else { return nil }
        return Self.pause
    }
}
