/// Where encoded bytes go: a growing array, or a buffer allocated once at its final bound.
protocol ByteSink {
    mutating func append(_ byte: UInt8)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: ByteSink where Element == UInt8 {}

/// Writes into memory sized beforehand for the worst case, so no write checks capacity.
struct ByteWriter: ByteSink {
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
        let target = start + count
        if bytes.count <= 16 {
            // Atom texts and the gaps between them are short: a loop beats a call to memmove.
            for offset in 0..<bytes.count { target[offset] = source[offset] }
        } else {
            target.update(from: source, count: bytes.count)
        }
        count += bytes.count
    }

    mutating func overwriteBigEndian(_ value: UInt32, at offset: Int) {
        base[offset] = UInt8(truncatingIfNeeded: value >> 24)
        base[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        base[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        base[offset + 3] = UInt8(truncatingIfNeeded: value)
    }
}
