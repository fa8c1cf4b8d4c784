/// An integer of any size, as the BEAM transports bignums: a sign and little-endian magnitude bytes.
///
/// The magnitude never has trailing zero bytes, so equal values compare equal. Only integers that
/// do not fit `Int` are held this way in a `Term`.
public struct BigInteger: Hashable, Sendable {
    public let isNegative: Bool
    /// Little-endian magnitude without trailing zero bytes; empty for zero.
    public let magnitude: [UInt8]

    public init(isNegative: Bool, magnitude: [UInt8]) {
        var bytes = magnitude
        while bytes.last == 0 { bytes.removeLast() }
        self.isNegative = isNegative && !bytes.isEmpty
        self.magnitude = bytes
    }

    public init(_ value: Int) {
        self.init(isNegative: value < 0, magnitude: Self.littleEndianBytes(of: value.magnitude))
    }

    /// The value as an `Int`, when it fits.
    public var intValue: Int? { Self.intValue(isNegative: isNegative, magnitude: magnitude[...]) }

    /// The nearest `Double` (infinite past its range).
    public var doubleValue: Double {
        var result = 0.0
        for byte in magnitude.reversed() { result = result * 256 + Double(byte) }
        return isNegative ? -result : result
    }

    static func littleEndianBytes(of value: UInt) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        while rest != 0 {
            bytes.append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        }
        return bytes
    }

    static func intValue(isNegative: Bool, magnitude: ArraySlice<UInt8>) -> Int? {
        var significant = magnitude
        while significant.last == 0 { significant.removeLast() }
        guard significant.count <= 8 else { return nil }
        var value: UInt = 0
        for byte in significant.reversed() { value = value << 8 | UInt(byte) }
        if isNegative {
            guard value <= UInt(Int.max) + 1 else { return nil }
            return value == UInt(Int.max) + 1 ? Int.min : -Int(value)
        }
        return value <= UInt(Int.max) ? Int(value) : nil
    }
}
