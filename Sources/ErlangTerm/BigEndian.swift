/// Big-endian reads and writes. Callers have checked the bounds.
public enum BigEndian {
    @inlinable @inline(__always)
    public static func u16(_ buffer: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt16 {
        UInt16(buffer[at]) << 8 | UInt16(buffer[at + 1])
    }

    @inlinable @inline(__always)
    public static func u32(_ buffer: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
        UnsafeRawBufferPointer(buffer).loadUnaligned(fromByteOffset: at, as: UInt32.self).bigEndian
    }

    @inlinable @inline(__always)
    public static func u64(_ buffer: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt64 {
        UnsafeRawBufferPointer(buffer).loadUnaligned(fromByteOffset: at, as: UInt64.self).bigEndian
    }

    @inline(__always)
    static func append(_ value: UInt16, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always)
    static func append(_ value: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    static func append(_ value: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    static func overwrite(_ value: UInt32, in out: inout [UInt8], at: Int) {
        out[at] = UInt8(truncatingIfNeeded: value >> 24)
        out[at + 1] = UInt8(truncatingIfNeeded: value >> 16)
        out[at + 2] = UInt8(truncatingIfNeeded: value >> 8)
        out[at + 3] = UInt8(truncatingIfNeeded: value)
    }
}
