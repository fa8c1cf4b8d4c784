import ErlangTerm

/// The term decoder (`TermView`): any bytes give a view or a typed error. A view's term, encoded
/// again as the BEAM would (`TermEncoder`) and re-encoded from the view in either atom style
/// (`encoded(style:)`, how signatures are checked), decodes to the same term; the chunked
/// re-encoding is the same bytes; the view's accessors agree with the term.
final class TermTarget: FuzzTarget {
    /// Smaller than the product's limits, so that libFuzzer meets them.
    let limits = TermDecodingLimits(
        maxInputBytes: 1 << 20, maxDepth: 64, maxBigIntegerBytes: 512, maxDecompressedBytes: 1 << 16,
        maxSubterms: 1 << 14)

    func run(_ input: [UInt8]) {
        guard let view = try? TermView(parsing: input, limits: limits) else { return }
        let term = view.term()
        for style in [AtomStyle.utf8, .legacy] {
            let fromView = view.encoded(style: style)
            var chunked: [UInt8] = []
            view.encode(style: style) { chunked += $0 }
            require(chunked == fromView, "encode(style: \(style)) in chunks differs from encoded(style:)")
            require(decoded(fromView) == term, "the view re-encoded in style \(style) decodes to another term")
            let fromTerm = TermEncoder(atomStyle: style).encode(term)
            require(decoded(fromTerm) == term, "the term encoded in style \(style) decodes to another term")
        }
        walk(view, view.root, term)
    }

    private func decoded(_ bytes: [UInt8]) -> Term? {
        // Re-encoding may grow atoms (Latin-1 to UTF-8) and uncompress: the default limits then.
        (try? TermView(parsing: bytes, wholeInput: true))?.term()
    }

    /// The accessors of every subterm against the materialized term.
    private func walk(_ view: TermView, _ ref: TermRef, _ term: Term) {
        let span = view.span(of: ref)
        require(span.lowerBound >= 0 && span.upperBound <= view.bytes.count, "span \(span) outside the bytes")
        switch term {
        case .integer(let value):
            require(view.int(of: ref) == value, "int(of:) differs from the term's \(value)")
        case .bigInteger(let value):
            require(view.double(of: ref) == value.doubleValue, "double(of:) differs for a bignum")
        case .float(let value):
            require(view.double(of: ref)?.bitPattern == value.bitPattern, "double(of:) differs for a float")
        case .atom(let atom):
            require(view.atomName(of: ref) == atom.name, "atomName(of:) differs from \(atom.name)")
            require(view.isAtom(ref, atom.name), "isAtom(_:_:) refuses the atom's own name")
            require(view.isNil(ref) == (atom.name == "nil"), "isNil(_:) wrong for \(atom.name)")
        case .binary(let bytes):
            require(view.binaryBytes(of: ref).map(Array.init) == bytes, "binaryBytes(of:) differs")
        case .tuple(let elements), .list(let elements):
            require(view.count(of: ref) == elements.count, "count(of:) differs from the elements")
            for (index, child) in view.children(of: ref).enumerated() {
                require(index < elements.count, "more children than elements")
                require(view.element(index, of: ref) == child, "element(\(index), of:) is not the child")
                walk(view, child, elements[index])
            }
        case .map(let entries):
            let pairs = view.mapEntries(of: ref)
            require(pairs.count == entries.count, "mapEntries(of:) has \(pairs.count) of \(entries.count)")
            for (pair, entry) in zip(pairs, entries) {
                walk(view, pair.key, entry.key)
                walk(view, pair.value, entry.value)
                if case .atom(let key) = entry.key, entries.first(where: { $0.key == entry.key })?.value == entry.value
                {
                    require(
                        view.value(forAtomKey: key.name, in: ref).map { view.term($0) } == entry.value,
                        "value(forAtomKey: \(key.name)) is not the first such key's value")
                }
            }
        default: break
        }
    }
}
