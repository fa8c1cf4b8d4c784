/// Re-encoding a received term in a chosen atom style by copying its bytes and rewriting only the
/// atoms: how a signature made over the publisher's `term_to_binary` is checked (DESIGN.md 3.3).
extension TermView {
    /// The external format of `term` (the whole term by default) with atoms in `style`, prefixed
    /// with the version byte 131 unless `includeVersion` is false.
    ///
    /// Every other byte is copied as received, so for a term the BEAM wrote this equals what the
    /// BEAM writes for the same value in that style.
    public func encoded(_ term: TermRef? = nil, style: AtomStyle, includeVersion: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        appendEncoded(term, style: style, includeVersion: includeVersion, to: &out)
        return out
    }

    /// Appends what `encoded` returns to `out`.
    public func appendEncoded(
        _ term: TermRef? = nil, style: AtomStyle, includeVersion: Bool = true, to out: inout [UInt8]
    ) {
        let index = (term ?? root).index
        let span = Int(nodes[index].end) - Int(nodes[index].offset)
        out.reserveCapacity(out.count + span + span / 4 + 8)
        if includeVersion { out.append(ExternalTag.version) }
        bytes.withUnsafeBufferPointer { source in
            write(index, style: style, source: source, to: &out)
        }
    }

    private func write(_ index: Int, style: AtomStyle, source: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let node = nodes[index]
        if node.kind == .atom {
            writeAtom(node, index, style: style, source: source, to: &out)
            return
        }
        let next = Int(node.next)
        if next == index + 1 {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: source[Int(node.offset)..<Int(node.end)]))
            return
        }
        let start = out.count
        var cursor = Int(node.offset)
        var child = index + 1
        while child < next {
            let childNode = nodes[child]
            out.append(contentsOf: UnsafeBufferPointer(rebasing: source[cursor..<Int(childNode.offset)]))
            write(child, style: style, source: source, to: &out)
            cursor = Int(childNode.end)
            child = Int(childNode.next)
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: source[cursor..<Int(node.end)]))
        if node.kind == .fun {
            // NEW_FUN_EXT carries its own total size, which rewritten atoms may have changed.
            BigEndian.overwrite(UInt32(out.count - start - 1), in: &out, at: start + 1)
        }
    }

    private func writeAtom(
        _ node: TermNode, _ index: Int, style: AtomStyle, source: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]
    ) {
        let offset = Int(node.offset)
        switch node.tag {
        case ExternalTag.smallAtomUTF8:
            let text = UnsafeBufferPointer(rebasing: source[(offset + 2)..<Int(node.end)])
            if style == .utf8 || !AtomText.isLatin1(utf8: text) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: source[offset..<Int(node.end)]))
            } else {
                AtomText.append(utf8: text, style: style, to: &out)
            }
        case ExternalTag.atom where style == .legacy:
            out.append(contentsOf: UnsafeBufferPointer(rebasing: source[offset..<Int(node.end)]))
        default:
            withAtomUTF8(index) { AtomText.append(utf8: $0, style: style, to: &out) }
        }
    }
}
