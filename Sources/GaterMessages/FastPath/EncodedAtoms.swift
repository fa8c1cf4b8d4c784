import ErlangTerm

/// Atom names as they travel in SMALL_ATOM_UTF8_EXT (tag, length, text), each compared with the
/// bytes at a position as two masked words: for the scanner's keys, which nearly always are the
/// name the table expects next, one comparison instead of reading the atom and looking it up.
final class EncodedAtoms: Sendable {
    /// Per name: its first word, that word's mask, its second word and that word's mask (each
    /// word's low byte first, as `ByteCompare.word` reads it).
    private let words: [UInt64]
    /// Per name, its encoded length; 0 for a name longer than the two words hold, which is then
    /// never matched here.
    private let lengths: [Int]

    init(_ names: [String]) {
        var words: [UInt64] = []
        var lengths: [Int] = []
        for name in names {
            let encoded = [ExternalTag.smallAtomUTF8, UInt8(truncatingIfNeeded: name.utf8.count)] + Array(name.utf8)
            guard encoded.count <= 16, name.utf8.allSatisfy({ $0 < 0x80 }) else {
                words += [1, 0, 0, 0]  // 1 under a zero mask: matches nothing
                lengths.append(0)
                continue
            }
            for half in 0..<2 {
                let bytes = encoded.dropFirst(8 * half).prefix(8)
                var word: UInt64 = 0
                var mask: UInt64 = 0
                for (offset, byte) in bytes.enumerated() {
                    word |= UInt64(byte) << UInt64(8 * offset)
                    mask |= 0xFF << UInt64(8 * offset)
                }
                words += [word, mask]
            }
            lengths.append(encoded.count)
        }
        self.words = words
        self.lengths = lengths
    }

    /// The encoded length of name `index` when the bytes at `position` are that atom, tag and
    /// length included; nil when they are not, and when fewer than 16 bytes follow `position`.
    @inline(__always)
    func length(ofName index: Int, in bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Int? {
        guard index >= 0, index < lengths.count, position >= 0, bytes.count - position >= 16 else { return nil }
        let raw = UnsafeRawBufferPointer(bytes)
        let first = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        let second = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position + 8, as: UInt64.self))
        return words.withUnsafeBufferPointer { words in
            let base = 4 * index
            guard first & words[base + 1] == words[base], second & words[base + 3] == words[base + 2] else {
                return nil
            }
            return lengths[index]
        }
    }
}
