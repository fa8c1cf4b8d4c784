/// What a node of a `TermView` is.
public enum TermKind: UInt8, Sendable {
    case integer, bigInteger, float, atom, tuple, emptyList, string, list, map
    case binary, bitBinary, pid, port, reference, export, fun, local
}

/// A handle to one subterm of a `TermView`.
public struct TermRef: Hashable, Sendable {
    @usableFromInline let index: Int
    @usableFromInline init(_ index: Int) { self.index = index }
}

/// One subterm in the flat, depth-first tape of a `TermView`.
///
/// Children follow their parent directly; `next` skips the whole subtree, so walking siblings
/// costs nothing. For a pid, port, reference, export or fun the atoms and integers inside are
/// children too, which lets re-encoding rewrite every atom generically.
@usableFromInline
struct TermNode: Sendable {
    @usableFromInline var offset: UInt32
    @usableFromInline var end: UInt32
    @usableFromInline var next: UInt32
    /// Arity, element count, pair count or byte length, by kind; the cache index for a cached atom.
    @usableFromInline var count: UInt32
    @usableFromInline var kind: TermKind
    @usableFromInline var tag: UInt8
    /// For an atom, what its text holds, found while validating it: re-encoding then needs no
    /// second look at the text. `.unknown` for everything else.
    @usableFromInline var text: AtomRepertoire = .unknown
}

/// What an atom's text holds, which decides how each atom style writes it.
@usableFromInline
enum AtomRepertoire: UInt8, Sendable {
    case ascii, latin1, beyondLatin1, unknown
}

/// A decoded external term that keeps the bytes it came from.
///
/// Decoding validates the whole term once and records a flat tape of subterms; nothing else is
/// allocated. Accessors read straight from the bytes, every subterm has an exact byte span, map
/// keys keep their order, and `encoded(style:)` reproduces the term in either atom style by
/// copying every byte except the atoms. `term()` materializes an owned `Term` when one is wanted.
public struct TermView: Sendable {
    /// The nodes, with the bytes they describe and the atom cache: one reference to copy.
    let nodes: TermTape
    /// Offset just past the term in the input (past the compressed data for a compressed term).
    public let endOffset: Int
    /// Whether the term arrived compressed (tag 80); spans then refer to the inflated bytes.
    public let wasCompressed: Bool
    /// Whether a NEW_FUN_EXT occurs anywhere in the term.
    let hasFuns: Bool

    /// Decodes the term at `offset` of `input`.
    ///
    /// - Parameters:
    ///   - versioned: the term starts with the version byte 131 (false after a distribution header).
    ///   - wholeInput: bytes left after the term are an error.
    ///   - atomCache: the atoms that ATOM_CACHE_REF indexes name; without it such a reference is an error.
    public init(
        parsing input: [UInt8], at offset: Int = 0, versioned: Bool = true, wholeInput: Bool = false,
        limits: TermDecodingLimits = .default, atomCache: [Atom?] = []
    ) throws(TermDecodingError) {
        let size = input.count - offset
        guard size <= limits.maxInputBytes, limits.maxInputBytes <= Int(UInt32.max) else {
            throw TermDecodingError(.inputTooLarge(size: size, limit: limits.maxInputBytes), at: offset)
        }
        var start = offset
        if versioned {
            guard start < input.count else {
                throw TermDecodingError(.truncated(needed: 1, available: 0), at: start)
            }
            guard input[start] == ExternalTag.version else {
                throw TermDecodingError(.missingVersion(found: input[start]), at: start)
            }
            start += 1
        }
        if start < input.count, input[start] == ExternalTag.compressed {
            let inflated = try CompressedTerm.inflate(input, tagAt: start, limits: limits)
            do {
                let parsed = try TermParser.parse(inflated.bytes, at: 0, limits: limits, atomCache: atomCache)
                self.nodes = parsed.nodes
                self.hasFuns = parsed.hasFuns
            } catch {
                var marked = error
                marked.inCompressedData = true
                throw marked
            }
            self.endOffset = inflated.end
            self.wasCompressed = true
        } else {
            let parsed = try TermParser.parse(input, at: start, limits: limits, atomCache: atomCache)
            self.nodes = parsed.nodes
            self.hasFuns = parsed.hasFuns
            self.endOffset = parsed.end
            self.wasCompressed = false
        }
        if wholeInput, endOffset != input.count {
            throw TermDecodingError(.trailingBytes(count: input.count - endOffset), at: endOffset)
        }
    }

    /// The bytes that spans refer to: the input, or the inflated data of a compressed term.
    public var bytes: [UInt8] { nodes.bytes }

    /// The atoms that ATOM_CACHE_REF indexes name.
    var atomCache: [Atom?] { nodes.atomCache }

    /// The whole term.
    public var root: TermRef { TermRef(0) }

    /// How many subterms the tape holds (atoms inside pids and funs included).
    public var nodeCount: Int { nodes.count }
}
