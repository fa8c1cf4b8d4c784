import CZlib

/// CRC-32 (IEEE 802.3) from zlib: each spool record carries one, so that a record cut short or
/// damaged on disk is recognised when the spool is read back.
enum SpoolChecksum {
    static func crc32(_ bytes: ArraySlice<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            // zlib reads `count` bytes from the base address, which an empty buffer may not have.
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return crc }
            return UInt32(truncatingIfNeeded: crc32_z(UInt(crc), base, buffer.count))
        }
    }

    static func crc32(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        crc32(bytes[...], continuing: crc)
    }
}
