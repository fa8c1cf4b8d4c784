#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A fixed set of atom names, matched against an atom's bytes in place: for walking the keys of
/// a struct once instead of one lookup, and one String, per field.
public struct AtomTable: Sendable {
    private let names: [[UInt8]]

    public init(_ names: [String]) {
        self.names = names.map { Array($0.utf8) }
    }

    /// The position in the table of the atom `term`, if it is one of them.
    public func index(of term: TermRef, in view: TermView) -> Int? {
        view.withAtomUTF8IfAtom(term) { text in
            for (index, name) in names.enumerated() where name.count == text.count {
                let equal = name.withUnsafeBufferPointer { candidate in
                    // Same length, both in bounds: a plain byte comparison.
                    guard let left = candidate.baseAddress, let right = text.baseAddress else { return true }
                    return memcmp(left, right, text.count) == 0
                }
                if equal { return index }
            }
            return nil
        } ?? nil
    }
}

extension TermView {
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
