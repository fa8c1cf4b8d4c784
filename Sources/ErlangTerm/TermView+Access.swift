/// Reading subterms without materializing them: the shapes the product reads (tuple elements,
/// map values by atom key, atom and binary text, numbers) cost no allocation.
extension TermView {
    public func kind(of term: TermRef) -> TermKind { nodes[term.index].kind }

    /// The exact bytes of `term` within `bytes`.
    public func span(of term: TermRef) -> Range<Int> {
        let node = nodes[term.index]
        return Int(node.offset)..<Int(node.end)
    }

    /// Tuple arity, list length (without the tail), map size, or string/binary byte count.
    public func count(of term: TermRef) -> Int { Int(nodes[term.index].count) }

    /// The elements of a tuple or list (without the tail), the keys and values of a map
    /// alternating, the fields of a pid or fun; empty for anything else.
    public func children(of term: TermRef) -> Children {
        let node = nodes[term.index]
        let limit: Int
        switch node.kind {
        case .tuple, .list: limit = Int(node.count)
        case .map: limit = 2 * Int(node.count)
        default: limit = Int(node.next) - term.index - 1
        }
        return Children(view: self, first: term.index + 1, end: Int(node.next), limit: limit)
    }

    /// Element `position` (0-based) of a tuple or list.
    public func element(_ position: Int, of term: TermRef) -> TermRef? {
        let node = nodes[term.index]
        guard node.kind == .tuple || node.kind == .list, position >= 0, position < Int(node.count) else {
            return nil
        }
        var child = term.index + 1
        for _ in 0..<position { child = Int(nodes[child].next) }
        return TermRef(child)
    }

    /// The tail of a list from LIST_EXT (`[]` for a proper list).
    public func tail(of term: TermRef) -> TermRef? {
        let node = nodes[term.index]
        guard node.kind == .list else { return nil }
        var child = term.index + 1
        for _ in 0..<Int(node.count) { child = Int(nodes[child].next) }
        return TermRef(child)
    }

    /// Whether `term` is the atom `name`.
    public func isAtom(_ term: TermRef, _ name: String) -> Bool {
        var name = name
        return name.withUTF8 { expected in atomEquals(term.index, expected) }
    }

    /// Whether `term` is the atom `nil` (Elixir's absent value): read on every field of every
    /// payload, so compared in place rather than through a String.
    public func isNil(_ term: TermRef) -> Bool {
        let node = nodes[term.index]
        guard node.kind == .atom else { return false }
        let header: Int
        switch node.tag {
        case ExternalTag.smallAtomUTF8, ExternalTag.smallAtom: header = 2
        case ExternalTag.atomUTF8, ExternalTag.atom: header = 3
        default: return atomName(of: term) == "nil"
        }
        let start = Int(node.offset) + header
        guard Int(node.end) - start == 3 else { return false }
        // "nil" is the same bytes in UTF-8 and Latin-1.
        return bytes.withUnsafeBufferPointer { $0[start] == 0x6E && $0[start + 1] == 0x69 && $0[start + 2] == 0x6C }
    }

    /// The text of an atom.
    public func atomName(of term: TermRef) -> String? {
        guard nodes[term.index].kind == .atom else { return nil }
        return withAtomUTF8(term.index) { String(decoding: $0, as: UTF8.self) }
    }

    /// The value stored under the atom key `key` in a map.
    public func value(forAtomKey key: String, in map: TermRef) -> TermRef? {
        guard nodes[map.index].kind == .map else { return nil }
        var key = key
        return key.withUTF8 { expected -> TermRef? in
            var child = map.index + 1
            for _ in 0..<Int(nodes[map.index].count) {
                let valueIndex = Int(nodes[child].next)
                if nodes[child].kind == .atom, atomEquals(child, expected) { return TermRef(valueIndex) }
                child = Int(nodes[valueIndex].next)
            }
            return nil
        }
    }

    /// The first key and value of a map, in wire order; nil for an empty map or anything else.
    public func firstEntry(of map: TermRef) -> (key: TermRef, value: TermRef)? {
        guard nodes[map.index].kind == .map, nodes[map.index].count > 0 else { return nil }
        let key = map.index + 1
        return (TermRef(key), TermRef(Int(nodes[key].next)))
    }

    /// The key-value pairs of a map, in their order on the wire.
    public func mapEntries(of map: TermRef) -> [(key: TermRef, value: TermRef)] {
        guard nodes[map.index].kind == .map else { return [] }
        var entries: [(key: TermRef, value: TermRef)] = []
        entries.reserveCapacity(Int(nodes[map.index].count))
        var child = map.index + 1
        for _ in 0..<Int(nodes[map.index].count) {
            let valueIndex = Int(nodes[child].next)
            entries.append((TermRef(child), TermRef(valueIndex)))
            child = Int(nodes[valueIndex].next)
        }
        return entries
    }

    /// The bytes of a binary (a bitstring whose bit count is a multiple of 8 included).
    public func binaryBytes(of term: TermRef) -> ArraySlice<UInt8>? {
        let node = nodes[term.index]
        switch node.kind {
        case .binary: return bytes[(Int(node.offset) + 5)..<Int(node.end)]
        case .bitBinary where bytes[Int(node.offset) + 5] == 8 || node.count == 0:
            return bytes[(Int(node.offset) + 6)..<Int(node.end)]
        case .string: return bytes[(Int(node.offset) + 3)..<Int(node.end)]
        default: return nil
        }
    }

    /// Text from a binary (UTF-8), a charlist, or an atom: the spellings Elixir code uses for strings.
    public func text(of term: TermRef) -> String? {
        let node = nodes[term.index]
        switch node.kind {
        case .binary, .string:
            guard let slice = binaryBytes(of: term) else { return nil }
            return node.kind == .binary ? String(decoding: slice, as: UTF8.self) : latin1String(slice)
        case .atom: return atomName(of: term)
        case .emptyList: return ""
        case .list:
            var scalars = String.UnicodeScalarView()
            for child in children(of: term) {
                guard let code = int(of: child), let scalar = Unicode.Scalar(UInt32(clamping: max(code, 0))),
                    code >= 0
                else { return nil }
                scalars.append(scalar)
            }
            return String(scalars)
        default: return nil
        }
    }

    /// An integer that fits `Int`.
    public func int(of term: TermRef) -> Int? {
        let node = nodes[term.index]
        let offset = Int(node.offset)
        switch node.kind {
        case .integer:
            if node.tag == ExternalTag.smallInteger { return Int(bytes[offset + 1]) }
            return Int(Int32(bitPattern: readU32(offset + 1)))
        case .bigInteger:
            let header = node.tag == ExternalTag.smallBig ? 3 : 6
            return BigInteger.intValue(
                isNegative: bytes[offset + header - 1] == 1, magnitude: bytes[(offset + header)..<Int(node.end)])
        default: return nil
        }
    }

    /// A number as `Double`: floats, and integers of any size.
    public func double(of term: TermRef) -> Double? {
        let node = nodes[term.index]
        switch node.kind {
        case .float: return floatValue(node)
        case .integer: return int(of: term).map(Double.init)
        case .bigInteger: return bigInteger(node).doubleValue
        default: return nil
        }
    }

    /// Whether `term` is the atom `true` or `false`, as a `Bool`.
    public func bool(of term: TermRef) -> Bool? {
        if isAtom(term, "true") { return true }
        if isAtom(term, "false") { return false }
        return nil
    }
}

extension TermView {
    /// Sibling subterms, walked by skipping whole subtrees.
    public struct Children: Sequence, IteratorProtocol, Sendable {
        let view: TermView
        var current: Int
        let end: Int
        var remaining: Int

        init(view: TermView, first: Int, end: Int, limit: Int) {
            self.view = view
            self.current = first
            self.end = end
            self.remaining = limit
        }

        public var underestimatedCount: Int { remaining }

        public mutating func next() -> TermRef? {
            guard remaining > 0, current < end else { return nil }
            let result = TermRef(current)
            current = Int(view.nodes[current].next)
            remaining -= 1
            return result
        }
    }
}

// MARK: - Internal readers shared by access, materializing and re-encoding

extension TermView {
    func readU32(_ at: Int) -> UInt32 {
        bytes.withUnsafeBufferPointer { BigEndian.u32($0, at) }
    }

    func readU64(_ at: Int) -> UInt64 {
        bytes.withUnsafeBufferPointer { BigEndian.u64($0, at) }
    }

    func floatValue(_ node: TermNode) -> Double {
        let offset = Int(node.offset)
        if node.tag == ExternalTag.newFloat { return Double(bitPattern: readU64(offset + 1)) }
        // Validated by the parser, so the text is a finite number.
        return bytes.withUnsafeBufferPointer {
            FloatText.parse(UnsafeBufferPointer(rebasing: $0[(offset + 1)..<(offset + 32)])) ?? 0
        }
    }

    func bigInteger(_ node: TermNode) -> BigInteger {
        let offset = Int(node.offset)
        let header = node.tag == ExternalTag.smallBig ? 3 : 6
        return BigInteger(
            isNegative: bytes[offset + header - 1] == 1, magnitude: Array(bytes[(offset + header)..<Int(node.end)]))
    }

    /// Calls `body` with the UTF-8 text of the atom at node `index` (Latin-1 and cached atoms converted).
    func withAtomUTF8<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let node = nodes[index]
        let offset = Int(node.offset)
        switch node.tag {
        case ExternalTag.atomCacheRef:
            var name = atomCache[Int(node.count)]?.name ?? ""
            return name.withUTF8(body)
        case ExternalTag.smallAtomUTF8, ExternalTag.atomUTF8:
            let header = node.tag == ExternalTag.smallAtomUTF8 ? 2 : 3
            return bytes.withUnsafeBufferPointer {
                body(UnsafeBufferPointer(rebasing: $0[(offset + header)..<Int(node.end)]))
            }
        default:
            let header = node.tag == ExternalTag.smallAtom ? 2 : 3
            let converted = bytes.withUnsafeBufferPointer {
                AtomText.utf8(fromLatin1: UnsafeBufferPointer(rebasing: $0[(offset + header)..<Int(node.end)]))
            }
            return converted.withUnsafeBufferPointer(body)
        }
    }

    func atomEquals(_ index: Int, _ expected: UnsafeBufferPointer<UInt8>) -> Bool {
        let node = nodes[index]
        guard node.kind == .atom else { return false }
        if node.tag == ExternalTag.smallAtomUTF8 || node.tag == ExternalTag.atomUTF8 {
            let header = node.tag == ExternalTag.smallAtomUTF8 ? 2 : 3
            let length = Int(node.end) - Int(node.offset) - header
            guard length == expected.count else { return false }
            return bytes.withUnsafeBufferPointer {
                // Both ranges are in bounds and `length` long: the node was validated by the parser.
                ByteCompare.equal($0, Int(node.offset) + header, expected, 0, count: length)
            }
        }
        return withAtomUTF8(index) { $0.elementsEqual(expected) }
    }

    func latin1String(_ slice: ArraySlice<UInt8>) -> String {
        String(String.UnicodeScalarView(slice.map { Unicode.Scalar($0) }))
    }
}
