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
            if let known = view.bytes.withUnsafeBufferPointer({ known($0, start, length) }) { return known }
        }
        guard let name = view.atomName(of: term) else { return nil }
        if let known = entries.first(where: { $0.atom.name == name }) { return known.atom }
        let atom = Atom(name)
        remember(atom)
        return atom
    }

    /// The held atom whose UTF-8 text is `source[start..<start + length]` (in bounds), if any.
    private func known(_ source: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> Atom? {
        // Read in place: iterating `entries` by value would retain each entry's text and name.
        entries.withUnsafeBufferPointer { held in
            for index in held.indices where held[index].text.count == length {
                let equal = held[index].text.withUnsafeBufferPointer { text in
                    ByteCompare.equal(source, start, text, 0, count: length)
                }
                if equal { return held[index].atom }
            }
            return nil
        }
    }

    /// The NEW_PID_EXT at `offset` of `bytes` and the offset just past it, when its node is a
    /// SMALL_ATOM_UTF8_EXT atom held here: the pids of every control message, read without a
    /// tape. Nil for any other shape or node, which a full parse then reads (and validates).
    public func knownPid(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> (pid: Pid, end: Int)? {
        guard offset >= 0, offset + 3 <= bytes.count, bytes[offset] == ExternalTag.newPid,
            bytes[offset + 1] == ExternalTag.smallAtomUTF8
        else { return nil }
        let textStart = offset + 3
        let length = Int(bytes[offset + 2])
        let end = textStart + length + 12
        guard end <= bytes.count, let node = known(bytes, textStart, length) else { return nil }
        let fields = textStart + length
        let pid = Pid(
            node: node, id: BigEndian.u32(bytes, fields), serial: BigEndian.u32(bytes, fields + 4),
            creation: BigEndian.u32(bytes, fields + 8))
        return (pid, end)
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
