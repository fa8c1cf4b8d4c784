/// A fixed set of atom names, matched against an atom's bytes in place: for walking the keys of
/// a struct once instead of one lookup, and one String, per field.
///
/// An open-addressing hash table keyed by an atom's length and first eight bytes: a key finds
/// its name, or learns it has none, in one or two probes of a few comparisons each.
public final class AtomTable: Sendable {
    /// Per name, in the order given: its UTF-8 bytes (followed by 8 zero bytes, so the last word
    /// of any name can be read whole), and its first 8 bytes as a word (zero-padded).
    private let text: [UInt8]
    private let starts: [Int]
    private let lengths: [Int]
    private let prefixes: [UInt64]
    /// Per hash bucket, the position of the name in it, or -1.
    private let buckets: [Int]
    private let mask: Int

    /// How many names the table holds.
    public var count: Int { lengths.count }

    public init(_ names: [String]) {
        var text: [UInt8] = []
        var starts: [Int] = []
        var lengths: [Int] = []
        var prefixes: [UInt64] = []
        for name in names {
            let bytes = Array(name.utf8)
            starts.append(text.count)
            lengths.append(bytes.count)
            prefixes.append(Self.prefix(bytes))
            text += bytes
        }
        text += [UInt8](repeating: 0, count: 8)
        var size = 16
        while size < 4 * max(names.count, 1) { size *= 2 }
        var buckets = [Int](repeating: -1, count: size)
        for position in names.indices {
            var bucket = Self.hash(length: lengths[position], prefix: prefixes[position]) & (size - 1)
            while buckets[bucket] >= 0 { bucket = (bucket + 1) & (size - 1) }
            buckets[bucket] = position
        }
        self.text = text
        self.starts = starts
        self.lengths = lengths
        self.prefixes = prefixes
        self.buckets = buckets
        self.mask = size - 1
    }

    /// The position in the table of the atom `term`, if it is one of them.

    public func index(of term: TermRef, in view: TermView) -> Int? {
        guard let (start, length) = view.utf8AtomText(term.index) else { return convertedIndex(of: term, in: view) }
        return view.bytes.withUnsafeBufferPointer { source in find(source, start, length) }
    }

    /// Reads the keys of `map` in one pass and sets `values[i]` to the value stored under the
    /// table's name `i` (the first such key wins, as a lookup would find it); other keys are
    /// skipped. `values` must hold `count` slots, set to nil by the caller. False when `map` is
    /// not a map.
    ///
    /// Each key is compared first with the name after the previous key's: the BEAM sends the
    /// keys of a map of up to 32 entries sorted, so for a table listing a struct's keys in that
    /// order every key costs one comparison; keys out of that order are found by hash.
    public func collect(_ map: TermRef, in view: TermView, into values: UnsafeMutableBufferPointer<TermRef?>) -> Bool {
        guard view.kind(of: map) == .map else { return false }
        let pairs = view.count(of: map)
        var expected = 0
        return view.nodes.withUnsafeBufferPointer { tape in
            view.bytes.withUnsafeBufferPointer { source in
                var key = map.index + 1
                for _ in 0..<pairs {
                    let value = Int(tape[key].next)
                    if let position = position(ofKey: key, tape, source, view: view, expecting: expected) {
                        if values[position] == nil { values[position] = TermRef(value) }
                        expected = position + 1
                    }
                    key = Int(tape[value].next)
                }
                return true
            }
        }
    }

    @inline(__always)
    private func position(
        ofKey key: Int, _ tape: UnsafeBufferPointer<TermNode>, _ source: UnsafeBufferPointer<UInt8>, view: TermView,
        expecting expected: Int
    ) -> Int? {
        guard let (start, length) = view.utf8AtomText(key) else {
            return tape[key].kind == .atom ? convertedIndex(of: TermRef(key), in: view) : nil
        }
        return position(source, start, length, expecting: expected)
    }

    /// As `position(of:)`, comparing the atom with the name at `expected` first (see `collect`).
    public func position(of atom: UnsafeBufferPointer<UInt8>, expecting expected: Int) -> Int? {
        position(atom, 0, atom.count, expecting: expected)
    }

    @inline(__always)
    private func position(
        _ source: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int, expecting expected: Int
    ) -> Int? {
        let prefix = ByteCompare.prefix(source, start, count: length)
        if expected >= 0, expected < lengths.count, lengths[expected] == length, prefixes[expected] == prefix,
            length <= 8
                || text.withUnsafeBufferPointer({
                    ByteCompare.equal(source, start + 8, $0, starts[expected] + 8, count: length - 8)
                })
        {
            return expected
        }
        return find(source, start, length, prefix: prefix)
    }

    /// Latin-1 and cached atoms: compared through their UTF-8 text.
    private func convertedIndex(of term: TermRef, in view: TermView) -> Int? {
        view.withAtomUTF8IfAtom(term) { atom in position(of: atom) } ?? nil
    }

    /// The position in the table of the UTF-8 text `atom`, if it is one of the names.
    public func position(of atom: UnsafeBufferPointer<UInt8>) -> Int? {
        find(atom, 0, atom.count)
    }

    @inline(__always)
    func find(_ source: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> Int? {
        find(source, start, length, prefix: ByteCompare.prefix(source, start, count: length))
    }

    @inline(__always)
    private func find(_ source: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int, prefix: UInt64) -> Int? {
        var bucket = Self.hash(length: length, prefix: prefix) & mask
        while true {
            let position = buckets[bucket]
            if position < 0 { return nil }
            if lengths[position] == length, prefixes[position] == prefix,
                length <= 8
                    || text.withUnsafeBufferPointer({
                        ByteCompare.equal(source, start + 8, $0, starts[position] + 8, count: length - 8)
                    })
            {
                return position
            }
            bucket = (bucket + 1) & mask
        }
    }

    private static func prefix(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { ByteCompare.prefix($0, 0, count: $0.count) }
    }

    @inline(__always)
    static func hash(length: Int, prefix: UInt64) -> Int {
        let mixed = (prefix ^ UInt64(truncatingIfNeeded: length) &* 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: mixed >> 40)
    }
}

/// Comparing short byte runs (atom texts) a word at a time, inline: a call to `memcmp` costs
/// more than the comparison itself.
enum ByteCompare {
    /// Whether `a[aStart...]` and `b[bStart...]` hold the same `count` bytes; both ranges must be
    /// in bounds. Bytes past the ranges are read when they exist, never beyond the buffers.
    @inline(__always)
    static func equal(
        _ a: UnsafeBufferPointer<UInt8>, _ aStart: Int, _ b: UnsafeBufferPointer<UInt8>, _ bStart: Int, count: Int
    ) -> Bool {
        let left = UnsafeRawBufferPointer(a)
        let right = UnsafeRawBufferPointer(b)
        var offset = 0
        while offset + 8 <= count {
            if word(left, aStart + offset) != word(right, bStart + offset) { return false }
            offset += 8
        }
        let tail = count - offset
        guard tail > 0 else { return true }
        if aStart + offset + 8 <= a.count && bStart + offset + 8 <= b.count {
            let mask: UInt64 = (1 << UInt64(tail * 8)) - 1
            return (word(left, aStart + offset) ^ word(right, bStart + offset)) & mask == 0
        }
        for index in offset..<count where a[aStart + index] != b[bStart + index] { return false }
        return true
    }

    /// The first `min(count, 8)` bytes at `start` as a word, zero-padded; `start..<start + count`
    /// must be in bounds.
    @inline(__always)
    static func prefix(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, count: Int) -> UInt64 {
        let taken = min(count, 8)
        guard taken > 0 else { return 0 }
        if start + 8 <= bytes.count {
            let whole = word(UnsafeRawBufferPointer(bytes), start)
            return taken == 8 ? whole : whole & ((1 << UInt64(taken * 8)) - 1)
        }
        var value: UInt64 = 0
        for index in 0..<taken { value |= UInt64(bytes[start + index]) << UInt64(index * 8) }
        return value
    }

    /// Eight bytes as a number whose low byte is the first of them, on any platform.
    @inline(__always)
    static func word(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }
}

extension TermView {
    /// Where the text of an atom written in UTF-8 (SMALL_ATOM_UTF8_EXT or ATOM_UTF8_EXT) is in
    /// `bytes`; nil for other atoms and anything else.
    @inline(__always)
    func utf8AtomText(_ index: Int) -> (start: Int, length: Int)? {
        let node = nodes[index]
        guard node.kind == .atom else { return nil }
        switch node.tag {
        case 119: return (Int(node.offset) + 2, Int(node.end - node.offset) - 2)  // SMALL_ATOM_UTF8_EXT
        case 118: return (Int(node.offset) + 3, Int(node.end - node.offset) - 3)  // ATOM_UTF8_EXT
        default: return nil
        }
    }

    /// Calls `body` with the UTF-8 text of `term` when it is an atom.
    func withAtomUTF8IfAtom<R>(_ term: TermRef, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        guard nodes[term.index].kind == .atom else { return nil }
        return withAtomUTF8(term.index, body)
    }

    /// Calls `body` with each key and value of a map, in wire order, without allocating.
    public func forEachEntry(of map: TermRef, _ body: (_ key: TermRef, _ value: TermRef) -> Void) {
        guard nodes[map.index].kind == .map else { return }
        var child = map.index + 1
        for _ in 0..<Int(nodes[map.index].count) {
            let valueIndex = Int(nodes[child].next)
            body(TermRef(child), TermRef(valueIndex))
            child = Int(nodes[valueIndex].next)
        }
    }
}
