/// Where encoded bytes go: a growing array, a buffer allocated once at its final bound, or a
/// consumer fed in chunks.
protocol ByteSink {
    mutating func append(_ byte: UInt8)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>)
    /// ATOM_EXT's header for Latin-1 text of `length` bytes (at most 255 characters).
    mutating func appendLegacyAtomHeader(length: UInt8)
}

extension ByteSink {
    @inline(__always)
    mutating func appendLegacyAtomHeader(length: UInt8) {
        append(ExternalTag.atom)
        append(0)
        append(length)
    }
}

extension Array: ByteSink where Element == UInt8 {}

/// What re-encoding a view writes to: it counts what it wrote, and patches NEW_FUN_EXT's size
/// once the fun's contents are written.
protocol EncodeSink: ByteSink {
    var count: Int { get }
    mutating func overwriteBigEndian(_ value: UInt32, at offset: Int)
    /// Appends `source[range]`; the bytes of `source` around the range may be read, never written.
    mutating func append(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>)
}

/// Writes into memory sized beforehand for the worst case, so no write checks capacity.
struct ByteWriter: EncodeSink {
    private let base: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ base: UnsafeMutableBufferPointer<UInt8>) { self.base = base }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        precondition(count < base.count, "ByteWriter bound too small")
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, let start = base.baseAddress, !bytes.isEmpty else { return }
        precondition(count + bytes.count <= base.count, "ByteWriter bound too small")
        ByteCopy.copy(source, to: start + count, count: bytes.count, slack: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func appendLegacyAtomHeader(length: UInt8) {
        precondition(count + 3 <= base.count, "ByteWriter bound too small")
        base[count] = ExternalTag.atom
        base[count + 1] = 0
        base[count + 2] = length
        count += 3
    }

    @inline(__always)
    mutating func append(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        guard let from = source.baseAddress, let start = base.baseAddress, !range.isEmpty else { return }
        precondition(range.upperBound <= source.count && count + range.count <= base.count, "ByteWriter bound")
        ByteCopy.copy(
            from + range.lowerBound, to: start + count, count: range.count,
            slack: min(source.count - range.lowerBound, base.count - count))
        count += range.count
    }

    mutating func overwriteBigEndian(_ value: UInt32, at offset: Int) {
        base[offset] = UInt8(truncatingIfNeeded: value >> 24)
        base[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        base[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        base[offset + 3] = UInt8(truncatingIfNeeded: value)
    }
}

/// Collects bytes in a fixed buffer and hands them to `consume` whenever it is full, and at
/// `flush`; a run longer than the buffer goes to `consume` straight from its source.
struct ChunkSink: EncodeSink {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private let consume: (UnsafeRawBufferPointer) -> Void
    private var buffered = 0
    private var flushed = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>, consume: @escaping (UnsafeRawBufferPointer) -> Void) {
        precondition(buffer.count >= 8, "ChunkSink needs a buffer of at least 8 bytes")
        self.buffer = buffer
        self.consume = consume
    }

    var count: Int { flushed + buffered }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if buffered == buffer.count { flush() }
        buffer[buffered] = byte
        buffered += 1
    }

    @inline(__always)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, let start = buffer.baseAddress, !bytes.isEmpty else { return }
        if bytes.count > buffer.count - buffered {
            flush()
            if bytes.count >= buffer.count {
                consume(UnsafeRawBufferPointer(bytes))
                flushed += bytes.count
                return
            }
        }
        ByteCopy.copy(source, to: start + buffered, count: bytes.count, slack: bytes.count)
        buffered += bytes.count
    }

    @inline(__always)
    mutating func appendLegacyAtomHeader(length: UInt8) {
        if buffer.count - buffered < 3 { flush() }
        buffer[buffered] = ExternalTag.atom
        buffer[buffered + 1] = 0
        buffer[buffered + 2] = length
        buffered += 3
    }

    @inline(__always)
    mutating func append(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        guard let from = source.baseAddress, let start = buffer.baseAddress, !range.isEmpty else { return }
        precondition(range.upperBound <= source.count, "ChunkSink source range")
        guard range.count <= buffer.count - buffered else {
            return append(contentsOf: UnsafeBufferPointer(rebasing: source[range]))
        }
        ByteCopy.copy(
            from + range.lowerBound, to: start + buffered, count: range.count,
            slack: min(source.count - range.lowerBound, buffer.count - buffered))
        buffered += range.count
    }

    mutating func flush() {
        guard buffered > 0 else { return }
        consume(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[..<buffered])))
        flushed += buffered
        buffered = 0
    }

    /// Only re-encoding a NEW_FUN_EXT patches, and views holding funs are encoded in memory
    /// instead (`TermView.encode(_:style:includeVersion:into:)`), so this is never reached.
    mutating func overwriteBigEndian(_ value: UInt32, at offset: Int) {
        preconditionFailure("a streamed encoding cannot patch bytes already handed on")
    }
}

enum ByteCopy {
    /// Copies `count` bytes. Atom texts and the gaps between them are short: when `slack` bytes
    /// (at least `count`) may be read at `source` and written at `target`, up to 16 are moved as
    /// two 8-byte words whatever `count` is, without a loop whose exit is hard to predict.
    @inline(__always)
    static func copy(_ source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count: Int, slack: Int) {
        if count <= 16 && slack >= 16 {
            let raw = UnsafeRawPointer(source)
            let out = UnsafeMutableRawPointer(target)
            out.storeBytes(of: raw.loadUnaligned(as: UInt64.self), as: UInt64.self)
            out.storeBytes(of: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
        } else if count <= 16 {
            for offset in 0..<count { target[offset] = source[offset] }
        } else {
            target.update(from: source, count: count)
        }
    }
}
