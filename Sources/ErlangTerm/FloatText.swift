#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The text form of FLOAT_EXT (minor version 0): `"%.20e"` padded with NULs to 31 bytes.
enum FloatText {
    static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        // strtod needs a terminator; the field may be full, so copy it into a buffer one longer.
        var terminated = [CChar](repeating: 0, count: text.count + 1)
        for (index, byte) in text.enumerated() { terminated[index] = CChar(bitPattern: byte) }
        return terminated.withUnsafeBufferPointer { pointer -> Double? in
            guard let start = pointer.baseAddress, start.pointee != 0 else { return nil }
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(start, &end)
            guard let end, end != UnsafeMutablePointer(mutating: start) else { return nil }
            // Only NUL padding may follow the number.
            let consumed = end - UnsafeMutablePointer(mutating: start)
            return pointer[consumed...].allSatisfy { $0 == 0 } ? value : nil
        }
    }
}
