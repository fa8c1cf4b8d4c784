/// Re-encoding a received term in a chosen atom style by copying its bytes and rewriting only the
/// atoms: how a signature made over the publisher's `term_to_binary` is checked (docs/architecture.md, The envelope and its signature).
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

    /// The bytes `encoded(_:style:includeVersion:)` returns, handed to `consume` in order, in
    /// chunks of at most `encodeChunkSize` bytes, without building them in memory: for hashing
    /// them as they are written.
    public func encode(
        _ term: TermRef? = nil, style: AtomStyle, includeVersion: Bool = true,
        into consume: (UnsafeRawBufferPointer) -> Void
    ) {
        let index = (term ?? root).index
        if hasFuns {
            // NEW_FUN_EXT's size precedes its contents, whose atoms may change length: build it in memory.
            encoded(term, style: style, includeVersion: includeVersion).withUnsafeBytes(consume)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.encodeChunkSize) { buffer in
            withoutActuallyEscaping(consume) { consume in
                var sink = ChunkSink(buffer, consume: consume)
                if includeVersion { sink.append(ExternalTag.version) }
                bytes.withUnsafeBufferPointer { source in
                    write(index, style: style, source: source, to: &sink)
                }
                sink.flush()
            }
        }
    }

    /// Large enough that a typical broadcast goes out in one chunk, small enough for the stack.
    public static let encodeChunkSize = 1024

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

    private func write<Sink: EncodeSink>(
        _ index: Int, style: AtomStyle, source: UnsafeBufferPointer<UInt8>, to sink: inout Sink
    ) {
        let node = nodes[index]
        if node.kind == .fun { return writeFun(index, style: style, source: source, to: &sink) }
        let next = Int(node.next)
        // The loop works on local copies, written back once: through the closure's capture it
        // would reload the sink's count from memory after every write.
        var (out, cursor) = nodes.withUnsafeBufferPointer { tape in
            var out = sink
            var cursor = Int(node.offset)
            var child = index
            while child < next {
                let current = tape[child]
                if current.tag == ExternalTag.smallAtomUTF8 {
                    // The hot path of signature checks: the distribution's atoms, OTP 25's style.
                    if style == .legacy { cursor = writeLegacy(current, cursor: cursor, source: source, to: &out) }
                } else if current.kind == .atom {
                    if needsRewrite(current, style: style, source: source) {
                        out.append(source, cursor..<Int(current.offset))
                        withAtomUTF8(child) { AtomText.append(utf8: $0, style: style, to: &out) }
                        cursor = Int(current.end)
                    }
                } else if current.kind == .fun {
                    // NEW_FUN_EXT carries its own size, which rewritten atoms may change: write it apart.
                    out.append(source, cursor..<Int(current.offset))
                    writeFun(child, style: style, source: source, to: &out)
                    cursor = Int(current.end)
                    child = Int(current.next)
                    continue
                }
                child += 1
            }
            return (out, cursor)
        }
        out.append(source, cursor..<Int(node.end))
        sink = out
    }

    private func writeFun<Sink: EncodeSink>(
        _ index: Int, style: AtomStyle, source: UnsafeBufferPointer<UInt8>, to out: inout Sink
    ) {
        let node = nodes[index]
        let start = out.count
        let fieldsEnd = Int(nodes[index + 1].offset)
        out.append(source, Int(node.offset)..<fieldsEnd)
        var child = index + 1
        var cursor = fieldsEnd
        while child < Int(node.next) {
            let current = nodes[child]
            out.append(source, cursor..<Int(current.offset))
            write(child, style: style, source: source, to: &out)
            cursor = Int(current.end)
            child = Int(current.next)
        }
        out.append(source, cursor..<Int(node.end))
        out.overwriteBigEndian(UInt32(out.count - start - 1), at: start + 1)
    }

    /// A SMALL_ATOM_UTF8_EXT atom as OTP 25's `term_to_binary` writes it, decided by what the
    /// parser saw in its text. Returns the new copy cursor.
    @inline(__always)
    private func writeLegacy<Sink: EncodeSink>(
        _ node: TermNode, cursor: Int, source: UnsafeBufferPointer<UInt8>, to out: inout Sink
    ) -> Int {
        let offset = Int(node.offset)
        if node.text == .ascii {
            // Only the header changes (119, N becomes 100, 0, N): the text goes with the next copy.
            out.append(source, cursor..<offset)
            out.appendLegacyAtomHeader(length: UInt8(truncatingIfNeeded: node.count))
            return offset + 2
        }
        let text = UnsafeBufferPointer(rebasing: source[(offset + 2)..<Int(node.end)])
        guard node.text != .beyondLatin1, AtomText.isLatin1(utf8: text) else { return cursor }
        out.append(source, cursor..<offset)
        AtomText.appendLatin1(fromUTF8: text, to: &out)
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
