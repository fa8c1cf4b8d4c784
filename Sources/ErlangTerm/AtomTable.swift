/// A fixed set of atom names, matched against an atom's bytes in place: for walking the keys of
/// a struct once instead of one lookup, and one String, per field.
///
/// Names are grouped by byte length, so an atom is compared with the few names of its own
/// length only.
public struct AtomTable: Sendable {
    /// Every name's UTF-8 bytes, back to back, shortest first.
    private let text: [UInt8]
    /// Per name, shortest first: where its bytes start in `text`, and its position as given.
    private let entries: [(start: Int, position: Int)]
    /// `entries[firstOfLength[n]..<firstOfLength[n + 1]]` are the names of `n` bytes.
    private let firstOfLength: [Int]

    public init(_ names: [String]) {
        let sorted = names.enumerated().map { (position: $0.offset, bytes: Array($0.element.utf8)) }
            .sorted { ($0.bytes.count, $0.position) < ($1.bytes.count, $1.position) }
        var text: [UInt8] = []
        var entries: [(start: Int, position: Int)] = []
        let longest = sorted.last?.bytes.count ?? 0
        var firstOfLength = [Int](repeating: 0, count: longest + 2)
        for name in sorted {
            entries.append((text.count, name.position))
            text += name.bytes
        }
        // Room to compare the last name a whole word at a time.
        text += [UInt8](repeating: 0, count: 8)
        var next = 0
        for length in 0...(longest + 1) {
            while next < sorted.count, sorted[next].bytes.count < length { next += 1 }
            firstOfLength[length] = next
        }
        self.text = text
        self.entries = entries
        self.firstOfLength = firstOfLength
    }

    /// The position in the table of the atom `term`, if it is one of them.
    public func index(of term: TermRef, in view: TermView) -> Int? {
        guard let (start, length) = view.utf8AtomText(term.index) else {
            // Latin-1 and cached atoms: compared through their UTF-8 text.
            return view.withAtomUTF8IfAtom(term) { atom in position(of: atom) } ?? nil
        }
        guard length + 1 < firstOfLength.count else { return nil }
        let lower = firstOfLength[length]
        let upper = firstOfLength[length + 1]
        guard lower < upper else { return nil }
        return view.bytes.withUnsafeBufferPointer { source -> Int? in
            text.withUnsafeBufferPointer { names -> Int? in
                for slot in lower..<upper
                where ByteCompare.equal(source, start, names, entries[slot].start, count: length) {
                    return entries[slot].position
                }
                return nil
            }
        }
    }

    /// The position in the table of the UTF-8 text `atom`, if it is one of the names.
    public func position(of atom: UnsafeBufferPointer<UInt8>) -> Int? {
        let length = atom.count
        guard length + 1 < firstOfLength.count else { return nil }
        let candidates = firstOfLength[length]..<firstOfLength[length + 1]
        return text.withUnsafeBufferPointer { names -> Int? in
            for slot in candidates where ByteCompare.equal(atom, 0, names, entries[slot].start, count: length) {
                return entries[slot].position
            }
            return nil
        }
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

    /// Eight bytes as a number whose low byte is the first of them, on any platform.
    @inline(__always)
    private static func word(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
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
        case ExternalTag.smallAtomUTF8: return (Int(node.offset) + 2, Int(node.end - node.offset) - 2)
        case ExternalTag.atomUTF8: return (Int(node.offset) + 3, Int(node.end - node.offset) - 3)
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
