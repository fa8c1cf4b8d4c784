/// Atom text: validation, Latin-1 conversion, and writing an atom in a chosen style.
enum AtomText {
    /// The number of Unicode scalars in `bytes`, or nil when they are not valid UTF-8.
    static func scalarCount(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        // ASCII is the common case for atoms, and needs no decoding.
        if isASCII(bytes) { return bytes.count }
        var index = 0
        var scalars = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            let width: Int
            switch lead {
            case 0x00...0x7F: width = 1
            case 0xC2...0xDF: width = 2
            case 0xE0...0xEF: width = 3
            case 0xF0...0xF4: width = 4
            default: return nil
            }
            guard index + width <= count else { return nil }
            if width > 1 {
                guard isValidTail(bytes, at: index, lead: lead, width: width) else { return nil }
            }
            index += width
            scalars += 1
        }
        return scalars
    }

    private static func isValidTail(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, lead: UInt8, width: Int) -> Bool
    {
        let second = bytes[index + 1]
        // Reject overlong forms, surrogates and values past U+10FFFF, as Unicode requires.
        switch lead {
        case 0xE0: guard (0xA0...0xBF).contains(second) else { return false }
        case 0xED: guard (0x80...0x9F).contains(second) else { return false }
        case 0xF0: guard (0x90...0xBF).contains(second) else { return false }
        case 0xF4: guard (0x80...0x8F).contains(second) else { return false }
        default: guard (0x80...0xBF).contains(second) else { return false }
        }
        for offset in 2..<width where !(0x80...0xBF).contains(bytes[index + offset]) { return false }
        return true
    }

    @inline(__always)
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { bytes.isASCII }

    /// Whether every character of valid UTF-8 `bytes` is Latin-1 (U+0000...U+00FF).
    @inline(__always)
    static func isLatin1(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                index += 1
            } else if byte == 0xC2 || byte == 0xC3 {
                index += 2
            } else {
                return false
            }
        }
        return true
    }

    /// Appends an atom whose text is `utf8`, in the tags `style` chooses, as the BEAM does.
    static func append<Sink: ByteSink>(utf8: UnsafeBufferPointer<UInt8>, style: AtomStyle, to out: inout Sink) {
        if style == .legacy, isLatin1(utf8: utf8) {
            appendLatin1(fromUTF8: utf8, to: &out)
        } else if utf8.count < 256 {
            out.append(ExternalTag.smallAtomUTF8)
            out.append(UInt8(utf8.count))
            out.append(contentsOf: utf8)
        } else {
            out.append(ExternalTag.atomUTF8)
            out.append(UInt8(utf8.count >> 8))
            out.append(UInt8(truncatingIfNeeded: utf8.count))
            out.append(contentsOf: utf8)
        }
    }

    /// ATOM_EXT from UTF-8 text known to be Latin-1.
    static func appendLatin1<Sink: ByteSink>(fromUTF8 utf8: UnsafeBufferPointer<UInt8>, to out: inout Sink) {
        var characters = 0
        for byte in utf8 where byte & 0xC0 != 0x80 { characters += 1 }
        out.append(ExternalTag.atom)
        out.append(UInt8(characters >> 8))
        out.append(UInt8(truncatingIfNeeded: characters))
        if characters == utf8.count {
            out.append(contentsOf: utf8)
            return
        }
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte < 0x80 {
                out.append(byte)
                index += 1
            } else {
                // 0xC2 xx is U+0080...U+00BF, 0xC3 xx is U+00C0...U+00FF.
                out.append((byte & 0x03) << 6 | (utf8[index + 1] & 0x3F))
                index += 2
            }
        }
    }

    /// UTF-8 bytes of Latin-1 text.
    static func utf8(fromLatin1 latin1: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(latin1.count * 2)
        for byte in latin1 {
            if byte < 0x80 {
                result.append(byte)
            } else {
                result.append(0xC0 | byte >> 6)
                result.append(0x80 | byte & 0x3F)
            }
        }
        return result
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether every byte is ASCII, read eight at a time. Inlinable: the broadcast scanner asks
    /// it of every atom.
    @inlinable public var isASCII: Bool {
        var index = 0
        let raw = UnsafeRawBufferPointer(self)
        while index + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < count {
            if self[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }
}
