/// Atoms that come back frame after frame (the node names in every control message), kept as
/// `Atom` values: reading one again compares its bytes and allocates nothing, and the `Atom`s
/// share one string, so comparing them is cheap too.
///
/// Holds at most `capacity` atoms; a new one replaces the oldest.
public struct AtomInterner: Sendable {
    private var entries: [(text: [UInt8], atom: Atom)] = []
    private let capacity: Int
    private var oldest = 0

    /// `known` are held from the start (this node's own name, say).
    public init(capacity: Int = 8, known: [Atom] = []) {
        self.capacity = max(capacity, known.count, 1)
        entries = known.map { (Array($0.name.utf8), $0) }
    }

    /// The atom `term` of `view`, or nil when it is not an atom.
    public mutating func atom(_ term: TermRef, in view: TermView) -> Atom? {
        if let (start, length) = view.utf8AtomText(term.index) {
            // The distribution's own spelling: compared in place.
            let known = view.bytes.withUnsafeBufferPointer { source -> Atom? in
                for entry in entries where entry.text.count == length {
                    let equal = entry.text.withUnsafeBufferPointer { text in
                        ByteCompare.equal(source, start, text, 0, count: length)
                    }
                    if equal { return entry.atom }
                }
                return nil
            }
            if let known { return known }
        }
        guard let name = view.atomName(of: term) else { return nil }
        if let known = entries.first(where: { $0.atom.name == name }) { return known.atom }
        let atom = Atom(name)
        remember(atom)
        return atom
    }

    private mutating func remember(_ atom: Atom) {
        let entry = (Array(atom.name.utf8), atom)
        if entries.count < capacity {
            entries.append(entry)
        } else {
            entries[oldest] = entry
            oldest = (oldest + 1) % capacity
        }
    }
}

extension TermView {
    /// The pid `term`, its node name read through `atoms`; nil when `term` is not a pid.
    public func pid(of term: TermRef, atoms: inout AtomInterner) -> Pid? {
        guard kind(of: term) == .pid, let node = atoms.atom(TermRef(term.index + 1), in: self) else { return nil }
        return pidFields(term.index, node: node)
    }
}
