/// Numbers as both exposition formats write them: integers without a fraction, other values in
/// Swift's shortest round-trip form, and `+Inf`, `-Inf`, `NaN`.
enum SampleValue {
    static func append(_ value: Double, to bytes: inout [UInt8]) {
        if value.isFinite, value == value.rounded(.towardZero), value.magnitude < 1e15 {
            appendInteger(Int64(value), to: &bytes)
        } else if value.isNaN {
            bytes.append(contentsOf: "NaN".utf8)
        } else if value.isInfinite {
            bytes.append(contentsOf: (value < 0 ? "-Inf" : "+Inf").utf8)
        } else {
            // Short enough to stay a small string: no allocation for the common values.
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    /// Seconds since the epoch with exactly three decimals (`1700000000.500`): cheaper than the
    /// shortest form, and what the millisecond resolution of a timestamp holds.
    static func appendTimestamp(_ seconds: Double, to bytes: inout [UInt8]) {
        guard seconds.isFinite, seconds >= 0, seconds < 1e15 else { return append(seconds, to: &bytes) }
        let milliseconds = UInt64((seconds * 1000).rounded())
        appendInteger(milliseconds / 1000, to: &bytes)
        let fraction = milliseconds % 1000
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fraction / 100))
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fraction / 10 % 10))
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fraction % 10))
    }

    static func text(of value: Double) -> String {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendInteger(value.magnitude, to: &bytes)
    }

    static func appendInteger(_ value: UInt64, to bytes: inout [UInt8]) {
        let start = bytes.count
        var rest = value
        repeat {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10))
            rest /= 10
        } while rest > 0
        bytes[start...].reverse()
    }
}
