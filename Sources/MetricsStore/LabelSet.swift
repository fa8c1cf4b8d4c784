/// Label names and values rendered once, as they appear between the braces of a sample line:
/// `node="ex_esdb@host-1",operation="append"`. The rendered bytes are also the series' key, since
/// escaping is injective for a fixed list of names.
enum LabelSet {
    /// Appends `n1="v1",n2="v2"` with each value capped and escaped.
    static func render(names: [String], values: [String], maxValueBytes: Int, into bytes: inout [UInt8]) {
        for index in names.indices {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: names[index].utf8)
            bytes.append(contentsOf: #"=""#.utf8)
            let value = index < values.count ? values[index] : ""
            appendEscaped(capped(value, maxBytes: maxValueBytes), into: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// The value's UTF-8 bytes, cut at the last character boundary within `maxBytes`.
    static func capped(_ value: String, maxBytes: Int) -> Substring.UTF8View {
        let utf8 = value.utf8
        guard utf8.count > maxBytes else { return Substring(value).utf8 }
        var end = utf8.index(utf8.startIndex, offsetBy: maxBytes)
        // Step back over continuation bytes (10xxxxxx) so no character is split.
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) }
        return value[..<end].utf8
    }

    /// Label-value escaping, the same in both formats: backslash, double quote, line feed.
    static func appendEscaped<Bytes: Sequence<UInt8>>(_ value: Bytes, into bytes: inout [UInt8]) {
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

/// Names the exposition formats accept.
enum MetricName {
    static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetter(first) || first == UInt8(ascii: "_") || first == UInt8(ascii: ":")
        else { return false }
        return name.utf8.allSatisfy {
            isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":")
        }
    }

    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetter(first) || first == UInt8(ascii: "_"), !name.hasPrefix("__")
        else { return false }
        return name.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    /// Replaces every character a metric name may not hold with `_` (for swift-metrics labels).
    static func sanitized(_ name: String) -> String {
        var bytes = name.utf8.map { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: ":") ? $0 : UInt8(ascii: "_") }
        if let first = bytes.first, isDigit(first) { bytes.insert(UInt8(ascii: "_"), at: 0) }
        return bytes.isEmpty ? "_" : String(decoding: bytes, as: UTF8.self)
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
