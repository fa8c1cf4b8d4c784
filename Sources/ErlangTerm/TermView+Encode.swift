/// Re-encoding a received term in a chosen atom style by copying its bytes and rewriting only the
/// atoms: how a signature made over the publisher's `term_to_binary` is checked (DESIGN.md 3.3).
extension TermView {
    /// The external format of `term` (the whole term by default) with atoms in `style`, prefixed
    /// with the version byte 131 unless `includeVersion` is false.
    ///
    /// Every other byte is copied as received, so for a term the BEAM wrote this equals what the
    /// BEAM writes for the same value in that style.
    public func encoded(_ term: TermRef? = nil, style: AtomStyle, includeVersion: Bool = true) -> [UInt8] {
        let index = (term ?? root).index
        let bound = encodedBound(index)
        return [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
            var writer = ByteWriter(buffer)
            if includeVersion { writer.append(ExternalTag.version) }
            bytes.withUnsafeBufferPointer { source in
                write(index, style: style, source: source, to: &writer)
            }
            initialized = writer.count
        }
    }

    /// The most bytes re-encoding node `index` can take: a rewritten atom grows by at most its own
    /// size (Latin-1 to UTF-8 doubles the text; one header byte more), a cached atom by its name.
    private func encodedBound(_ index: Int) -> Int {
        let node = nodes[index]
        var bound = 1 + 2 * Int(node.end - node.offset) + 8
        if !atomCache.isEmpty {
            for child in index..<Int(node.next) where nodes[child].tag == ExternalTag.atomCacheRef {
                bound += 3 + (atomCache[Int(nodes[child].count)]?.name.utf8.count ?? 0)
            }
        }
        return bound
    }

    private func write(_ index: Int, style: AtomStyle, source: UnsafeBufferPointer<UInt8>, to out: inout ByteWriter) {
        let node = nodes[index]
        let next = Int(node.next)
        var cursor = Int(node.offset)
        var child = index
        while child < next {
            let current = nodes[child]
            if current.kind == .fun && child != index {
                // NEW_FUN_EXT carries its own size, which rewritten atoms may change: write it apart.
                out.append(contentsOf: UnsafeBufferPointer(rebasing: source[cursor..<Int(current.offset)]))
                writeFun(child, style: style, source: source, to: &out)
                cursor = Int(current.end)
                child = Int(current.next)
                continue
            }
            if current.kind == .fun {
                return writeFun(child, style: style, source: source, to: &out)
            }
            if current.kind == .atom {
                if current.tag == ExternalTag.smallAtomUTF8 {
                    if style == .legacy { cursor = writeLegacy(current, cursor: cursor, source: source, to: &out) }
                } else if needsRewrite(current, style: style, source: source) {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: source[cursor..<Int(current.offset)]))
                    withAtomUTF8(child) { AtomText.append(utf8: $0, style: style, to: &out) }
                    cursor = Int(current.end)
                }
            }
            child += 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: source[cursor..<Int(node.end)]))
    }

    private func writeFun(_ index: Int, style: AtomStyle, source: UnsafeBufferPointer<UInt8>, to out: inout ByteWriter)
    {
        let node = nodes[index]
        let start = out.count
        let fieldsEnd = Int(nodes[index + 1].offset)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: source[Int(node.offset)..<fieldsEnd]))
        var child = index + 1
        var cursor = fieldsEnd
        while child < Int(node.next) {
            let current = nodes[child]
            out.append(contentsOf: UnsafeBufferPointer(rebasing: source[cursor..<Int(current.offset)]))
            write(child, style: style, source: source, to: &out)
            cursor = Int(current.end)
            child = Int(current.next)
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: source[cursor..<Int(node.end)]))
        out.overwriteBigEndian(UInt32(out.count - start - 1), at: start + 1)
    }

    /// The hot path of signature checks: a SMALL_ATOM_UTF8_EXT atom as OTP 25's `term_to_binary`
    /// writes it. Returns the new copy cursor.
    @inline(__always)
    private func writeLegacy(
        _ node: TermNode, cursor: Int, source: UnsafeBufferPointer<UInt8>, to out: inout ByteWriter
    ) -> Int {
        let offset = Int(node.offset)
        let text = UnsafeBufferPointer(rebasing: source[(offset + 2)..<Int(node.end)])
        switch AtomText.repertoire(utf8: text) {
        case .beyondLatin1:
            return cursor
        case .ascii:
            out.append(contentsOf: UnsafeBufferPointer(rebasing: source[cursor..<offset]))
            out.append(ExternalTag.atom)
            out.append(0)
            out.append(UInt8(text.count))
            out.append(contentsOf: text)
        case .latin1:
            out.append(contentsOf: UnsafeBufferPointer(rebasing: source[cursor..<offset]))
            AtomText.appendLatin1(fromUTF8: text, to: &out)
        }
        return Int(node.end)
    }

    /// Whether the atom's bytes differ from what `style` writes for it.
    @inline(__always)
    private func needsRewrite(_ node: TermNode, style: AtomStyle, source: UnsafeBufferPointer<UInt8>) -> Bool {
        switch node.tag {
        case ExternalTag.smallAtomUTF8:
            return style == .legacy
                && AtomText.isLatin1(
                    utf8: UnsafeBufferPointer(rebasing: source[(Int(node.offset) + 2)..<Int(node.end)]))
        case ExternalTag.atom:
            return style == .utf8
        case ExternalTag.atomUTF8:
            // Canonical only when too long for SMALL_ATOM_UTF8_EXT and not Latin-1 in legacy style.
            let text = UnsafeBufferPointer(rebasing: source[(Int(node.offset) + 3)..<Int(node.end)])
            return text.count < 256 || (style == .legacy && AtomText.isLatin1(utf8: text))
        default:
            return true
        }
    }
}
