import Foundation

/// Label names and values rendered once, as they appear between the braces of a sample line:
/// `node="ex_esdb@host-1",operation="append"`. Values are capped at a character boundary and
/// escaped; lookups hash the raw values and compare them with a series' rendering in place.
enum LabelSet {
    /// Appends `n1="v1",n2="v2"` with each value capped and escaped.
    static func render(names: [String], values: [String], maxValueBytes: Int, into bytes: inout [UInt8]) {
        for index in names.indices {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: names[index].utf8)
            bytes.append(contentsOf: #"=""#.utf8)
            withCappedValue(values, index, maxValueBytes) { appendEscaped($0, into: &bytes) }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// A hash of the (capped) values, the same for the same label set whatever its rendering.
    static func hash(_ values: [String], count: Int, maxValueBytes: Int) -> Int {
        var hasher = Hasher()
        for index in 0..<count {
            withCappedValue(values, index, maxValueBytes) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            hasher.combine(0xFF as UInt8)  // never in UTF-8: separates the values
        }
        return hasher.finalize()
    }

    /// Whether `rendered` (`n1="v1",n2="v2"`) holds the rendered `pair` (`n="v"`) as one of its
    /// labels: at the start or after a comma, and followed by a comma or the end (values are
    /// escaped, so a quote inside one cannot end it early).
    static func contains(_ rendered: UnsafeBufferPointer<UInt8>, pair: [UInt8]) -> Bool {
        guard pair.count <= rendered.count else { return false }
        var start = 0
        while start + pair.count <= rendered.count {
            if rendered[start..<(start + pair.count)].elementsEqual(pair) {
                let end = start + pair.count
                if end == rendered.count || rendered[end] == UInt8(ascii: ",") { return true }
            }
            // The next label starts after the next comma outside a value: skip this one whole.
            guard let next = nextLabel(rendered, from: start) else { return false }
            start = next
        }
        return false
    }

    /// Where the label after the one starting at `start` begins.
    private static func nextLabel(_ rendered: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < rendered.count, rendered[index] != UInt8(ascii: "\"") { index += 1 }
        index += 1
        while index < rendered.count {
            if rendered[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if rendered[index] == UInt8(ascii: "\"") { break }
            index += 1
        }
        index += 1
        guard index < rendered.count, rendered[index] == UInt8(ascii: ",") else { return nil }
        return index + 1
    }

    /// Whether `rendered` (`n1="v1",n2="v2"`) is the rendering of `values`, compared in place.
    static func matches(
        _ rendered: UnsafeBufferPointer<UInt8>, names: [[UInt8]], values: [String], maxValueBytes: Int
    ) -> Bool {
        do {
            var position = 0
            for index in names.indices {
                // Skip `,name="` (the names are the family's own, so only the values can differ).
                position += names[index].count + 2 + (index > 0 ? 1 : 0)
                let next = withCappedValue(values, index, maxValueBytes) { match($0, in: rendered, at: position) }
                guard let next, next < rendered.count, rendered[next] == UInt8(ascii: "\"") else { return false }
                position = next + 1
            }
            return position == rendered.count
        }
    }

    /// Runs `body` on the UTF-8 bytes of value `index` (empty when missing), cut at the last
    /// character boundary within `maxBytes`, with every control character but the line feed
    /// (which both formats escape) replaced by U+FFFD, as invalid UTF-8 already is when it is
    /// decoded: a peer may send NUL, ESC or DEL in a name.
    /// Rendering, hashing and matching all read values through here, so they agree.
    static func withCappedValue<Result>(
        _ values: [String], _ index: Int, _ maxBytes: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        guard index < values.count else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        var value = values[index]
        return value.withUTF8 { bytes in
            guard bytes.contains(where: isControl) else { return capped(bytes, maxBytes, body) }
            let replaced: [UInt8] = bytes.flatMap { isControl($0) ? [0xEF, 0xBF, 0xBD] : [$0] }
            return replaced.withUnsafeBufferPointer { capped($0, maxBytes, body) }
        }
    }

    /// C0 controls but the line feed, and DEL; a UTF-8 continuation or lead byte is never one.
    @inline(__always)
    private static func isControl(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != 0x0A) || byte == 0x7F }

    private static func capped<Result>(
        _ bytes: UnsafeBufferPointer<UInt8>, _ maxBytes: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        guard bytes.count > maxBytes else { return body(bytes) }
        var end = maxBytes
        // Step back over continuation bytes (10xxxxxx) so no character is split.
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return body(UnsafeBufferPointer(rebasing: bytes[..<end]))
    }

    /// The position after `value` in `rendered` from `position`, or nil when it is not there.
    private static func match(
        _ value: UnsafeBufferPointer<UInt8>, in rendered: UnsafeBufferPointer<UInt8>, at position: Int
    )
        -> Int?
    {
        let end = position + value.count
        // The plain copy is accepted only when the closing quote follows: a value holding a
        // backslash can match its own escaped form's first bytes, and then the escaped
        // comparison decides.
        if end < rendered.count, rendered[end] == UInt8(ascii: "\"") {
            guard let source = value.baseAddress, let target = rendered.baseAddress else { return end }  // empty value
            if memcmp(source, target + position, value.count) == 0 { return end }
        }
        return matchEscaped(value, in: rendered, at: position)
    }

    private static func matchEscaped(
        _ value: UnsafeBufferPointer<UInt8>, in rendered: UnsafeBufferPointer<UInt8>, at start: Int
    )
        -> Int?
    {
        var position = start
        for byte in value {
            let expected: UInt8
            switch byte {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "\n"):
                guard position < rendered.count, rendered[position] == UInt8(ascii: "\\") else { return nil }
                position += 1
                expected = byte == UInt8(ascii: "\n") ? UInt8(ascii: "n") : byte
            default:
                expected = byte
            }
            guard position < rendered.count, rendered[position] == expected else { return nil }
            position += 1
        }
        return position
    }

    /// Label-value escaping, the same in both formats: backslash, double quote, line feed.
    static func appendEscaped(_ value: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8]) {
        // Nearly every value needs no escaping: copy it in one go.
        guard
            value.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") })
        else {
            bytes.append(contentsOf: value)
            return
        }
        for byte in value {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: #"\n"#.utf8)
            default: bytes.append(byte)
            }
        }
    }
}
