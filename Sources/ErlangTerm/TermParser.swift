/// Validates one external term and records its tape, without recursion, so that nesting depth
/// is bounded by `TermDecodingLimits.maxDepth` and never by the stack.
///
/// Every read is preceded by a check against the bytes left (`need`), and every declared count
/// is compared with the bytes left before it is trusted: a 4-byte length of 2^32-1 fails at once.
///
/// The tape is written straight into the storage of the array that `TermView` keeps. Its size is
/// guessed from the input; a term denser than the guess is parsed once more into storage of the
/// exact bound (every subterm takes at least one byte), so no append ever checks or grows.
struct TermParser: ~Copyable {
    private let buffer: UnsafeBufferPointer<UInt8>
    private let limits: TermDecodingLimits
    private let atomCache: [Atom?]
    private var pos: Int
    private let tape: UnsafeMutablePointer<TermNode>
    /// Room in `tape`: the guess, or the exact bound.
    private let capacity: Int
    private var count = 0
    /// Set when the guess was too small: the caller parses again with the exact bound.
    private(set) var outOfRoom = false
    private(set) var hasFuns = false
    /// The innermost container still missing children, or -1. Open containers form a chain
    /// through the tape itself (see `openChildren`), so the parser needs no stack of its own.
    private var innermostOpen = -1
    /// The children the innermost open container still misses.
    private var missing: UInt32 = 0
    private var depth = 0

    static func parse(
        _ bytes: [UInt8], at offset: Int, limits: TermDecodingLimits, atomCache: [Atom?]
    ) throws(TermDecodingError) -> (nodes: TermTape, end: Int, hasFuns: Bool) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(TermDecodingError) in
            let left = max(buffer.count - offset, 0)
            let bound = min(left, limits.maxSubterms) + 1
            let guess = min(bound, left / 8 + 16)
            if let parsed = try attempt(
                bytes, buffer, at: offset, capacity: guess, limits: limits, atomCache: atomCache)
            {
                return parsed
            }
            // The exact bound cannot run out of room, so this second attempt returns.
            guard
                let parsed = try attempt(
                    bytes, buffer, at: offset, capacity: bound, limits: limits, atomCache: atomCache)
            else { throw TermDecodingError(.tooManySubterms(limit: limits.maxSubterms), at: offset) }
            return parsed
        }
    }

    /// One parse into `capacity` nodes; nil when they were not enough.
    private static func attempt(
        _ bytes: [UInt8], _ buffer: UnsafeBufferPointer<UInt8>, at offset: Int, capacity: Int,
        limits: TermDecodingLimits,
        atomCache: [Atom?]
    ) throws(TermDecodingError) -> (nodes: TermTape, end: Int, hasFuns: Bool)? {
        let nodes = UnsafeMutablePointer<TermNode>.allocate(capacity: capacity)
        var parser = TermParser(
            buffer: buffer, limits: limits, atomCache: atomCache, pos: offset, tape: nodes, capacity: capacity)
        do {
            let end = try parser.run()
            return (
                TermTape(taking: nodes, count: parser.count, bytes: bytes, atomCache: atomCache), end, parser.hasFuns
            )
        } catch {
            // Nodes are plain values: the memory goes back without deinitializing them.
            nodes.deallocate()
            if parser.outOfRoom { return nil }
            throw error
        }
    }

    private init(
        buffer: UnsafeBufferPointer<UInt8>, limits: TermDecodingLimits, atomCache: [Atom?], pos: Int,
        tape: UnsafeMutablePointer<TermNode>, capacity: Int
    ) {
        self.buffer = buffer
        self.limits = limits
        self.atomCache = atomCache
        self.pos = pos
        self.tape = tape
        self.capacity = capacity
    }

    private mutating func run() throws(TermDecodingError) -> Int {
        if pos < buffer.count, buffer[pos] == ExternalTag.local {
            // LOCAL_EXT: "the bytes following from here on" are a private format; keep them all.
            try appendNode(kind: .local, length: buffer.count - pos, count: UInt32(buffer.count - pos - 1))
            return pos
        }
        repeat {
            try parseOne()
        } while innermostOpen >= 0
        return pos
    }

    // MARK: - One term

    private mutating func parseOne() throws(TermDecodingError) {
        try need(1)
        let tag = buffer[pos]
        if tag == ExternalTag.smallAtomUTF8 {
            // Half the subterms of a typical message: handled before the jump table.
            try need(2)
            try appendAtomText(header: 2, length: Int(buffer[pos + 1]), utf8: true)
            return try completed()
        }
        switch tag {
        case ExternalTag.smallInteger: try leaf(.integer, length: 2)
        case ExternalTag.integer: try leaf(.integer, length: 5)
        case ExternalTag.newFloat: try parseNewFloat()
        case ExternalTag.float: try parseOldFloat()
        case ExternalTag.atom, ExternalTag.smallAtom, ExternalTag.atomUTF8, ExternalTag.smallAtomUTF8,
            ExternalTag.atomCacheRef:
            try appendAtom()
            try completed()
        case ExternalTag.smallTuple:
            try need(2)
            try container(.tuple, header: 2, children: UInt64(buffer[pos + 1]), count: UInt64(buffer[pos + 1]))
        case ExternalTag.largeTuple:
            try need(5)
            let arity = UInt64(u32(pos + 1))
            try container(.tuple, header: 5, children: arity, count: arity)
        case ExternalTag.map:
            try need(5)
            let pairs = UInt64(u32(pos + 1))
            try container(.map, header: 5, children: pairs * 2, count: pairs)
        case ExternalTag.list:
            try need(5)
            let length = UInt64(u32(pos + 1))
            try container(.list, header: 5, children: length + 1, count: length)
        case ExternalTag.nilList: try leaf(.emptyList, length: 1)
        case ExternalTag.string:
            try need(3)
            let length = Int(u16(pos + 1))
            try leaf(.string, length: 3 + length, count: UInt32(length))
        case ExternalTag.binary:
            try need(5)
            let length = Int(u32(pos + 1))
            try leaf(.binary, length: 5 + length, count: UInt32(length))
        case ExternalTag.bitBinary: try parseBitBinary()
        case ExternalTag.smallBig:
            try need(3)
            try parseBig(digits: Int(buffer[pos + 1]), header: 3)
        case ExternalTag.largeBig:
            try need(6)
            try parseBig(digits: Int(u32(pos + 1)), header: 6)
        default:
            try parseIdentifierOrFun(tag)
        }
    }

    private mutating func parseIdentifierOrFun(_ tag: UInt8) throws(TermDecodingError) {
        switch tag {
        case ExternalTag.newPid: try appendIdentifier(.pid, header: 1, trailing: 12)
        case ExternalTag.pid: try appendIdentifier(.pid, header: 1, trailing: 9)
        case ExternalTag.newPort: try appendIdentifier(.port, header: 1, trailing: 8)
        case ExternalTag.port: try appendIdentifier(.port, header: 1, trailing: 5)
        case ExternalTag.v4Port: try appendIdentifier(.port, header: 1, trailing: 12)
        case ExternalTag.newerReference, ExternalTag.newReference:
            try need(3)
            let words = Int(u16(pos + 1))
            guard (1...5).contains(words) else {
                throw TermDecodingError(.invalidReferenceLength(words), at: pos)
            }
            let creation = tag == ExternalTag.newerReference ? 4 : 1
            try appendIdentifier(.reference, header: 3, trailing: creation + 4 * words, count: UInt32(words))
        case ExternalTag.reference: try appendIdentifier(.reference, header: 1, trailing: 5, count: 1)
        case ExternalTag.export: try appendExport()
        case ExternalTag.newFun: try parseFun()
        case ExternalTag.compressed, ExternalTag.local:
            throw TermDecodingError(.misplacedTag(tag), at: pos)
        default:
            throw TermDecodingError(.unknownTag(tag), at: pos)
        }
        if tag != ExternalTag.newFun { try completed() }
    }

    // MARK: - Leaves

    @inline(__always)
    private mutating func leaf(_ kind: TermKind, length: Int, count: UInt32 = 0) throws(TermDecodingError) {
        try need(length)
        try appendNode(kind: kind, length: length, count: count)
        try completed()
    }

    private mutating func parseNewFloat() throws(TermDecodingError) {
        try need(9)
        let value = Double(bitPattern: u64(pos + 1))
        guard value.isFinite else { throw TermDecodingError(.nonFiniteFloat, at: pos) }
        try leaf(.float, length: 9)
    }

    private mutating func parseOldFloat() throws(TermDecodingError) {
        try need(32)
        guard let value = FloatText.parse(UnsafeBufferPointer(rebasing: buffer[(pos + 1)..<(pos + 32)])) else {
            throw TermDecodingError(.invalidFloatText, at: pos)
        }
        guard value.isFinite else { throw TermDecodingError(.nonFiniteFloat, at: pos) }
        try leaf(.float, length: 32)
    }

    private mutating func parseBitBinary() throws(TermDecodingError) {
        try need(6)
        let length = Int(u32(pos + 1))
        let bits = buffer[pos + 5]
        // As the BEAM: 1...8 bits in a non-empty last byte, 0 only for an empty bitstring.
        guard bits <= 8, (bits == 0) == (length == 0) else {
            throw TermDecodingError(.invalidBitCount(bits), at: pos)
        }
        try leaf(.bitBinary, length: 6 + length, count: UInt32(length))
    }

    private mutating func parseBig(digits: Int, header: Int) throws(TermDecodingError) {
        guard digits <= limits.maxBigIntegerBytes else {
            throw TermDecodingError(.bigIntegerTooLarge(bytes: digits, limit: limits.maxBigIntegerBytes), at: pos)
        }
        let sign = buffer[pos + header - 1]
        guard sign <= 1 else { throw TermDecodingError(.invalidSign(sign), at: pos + header - 1) }
        try leaf(.bigInteger, length: header + digits, count: UInt32(digits))
    }

    private mutating func appendAtom() throws(TermDecodingError) {
        try need(1)
        let tag = buffer[pos]
        switch tag {
        case ExternalTag.atomCacheRef:
            try need(2)
            let index = Int(buffer[pos + 1])
            guard index < atomCache.count, atomCache[index] != nil else {
                throw TermDecodingError(.atomCacheReferenceWithoutCache(index: index), at: pos)
            }
            try appendNode(kind: .atom, length: 2, count: UInt32(index))
        case ExternalTag.smallAtomUTF8, ExternalTag.smallAtom:
            try need(2)
            try appendAtomText(header: 2, length: Int(buffer[pos + 1]), utf8: tag == ExternalTag.smallAtomUTF8)
        case ExternalTag.atomUTF8, ExternalTag.atom:
            try need(3)
            try appendAtomText(header: 3, length: Int(u16(pos + 1)), utf8: tag == ExternalTag.atomUTF8)
        default:
            throw TermDecodingError(.unexpectedTag(expected: "an atom", found: tag), at: pos)
        }
    }

    @inline(__always)
    private mutating func appendAtomText(header: Int, length: Int, utf8: Bool) throws(TermDecodingError) {
        try need(header + length)
        let text = UnsafeBufferPointer(rebasing: buffer[(pos + header)..<(pos + header + length)])
        let characters: Int
        let repertoire: AtomRepertoire
        if AtomText.isASCII(text) {
            characters = length
            repertoire = .ascii
        } else if utf8 {
            guard let scalars = AtomText.scalarCount(utf8: text) else {
                throw TermDecodingError(.invalidAtomText, at: pos)
            }
            characters = scalars
            repertoire = AtomText.isLatin1(utf8: text) ? .latin1 : .beyondLatin1
        } else {
            characters = length
            repertoire = .latin1
        }
        guard characters <= 255 else { throw TermDecodingError(.atomTooLong(characters: characters), at: pos) }
        try appendNode(kind: .atom, length: header + length, count: UInt32(length), text: repertoire)
    }

    private mutating func appendSmallInteger(allowInteger: Bool) throws(TermDecodingError) {
        try need(1)
        switch buffer[pos] {
        case ExternalTag.smallInteger:
            try need(2)
            try appendNode(kind: .integer, length: 2, count: 0)
        case ExternalTag.integer where allowInteger:
            try need(5)
            try appendNode(kind: .integer, length: 5, count: 0)
        case let tag:
            throw TermDecodingError(.unexpectedTag(expected: "an integer", found: tag), at: pos)
        }
    }

    // MARK: - Identifiers and funs: fixed shapes holding atoms

    private mutating func appendIdentifier(
        _ kind: TermKind, header: Int, trailing: Int, count: UInt32 = 0
    ) throws(TermDecodingError) {
        let index = try openNode(kind: kind, count: count)
        pos += header
        try appendAtom()
        try need(trailing)
        pos += trailing
        closeNode(index)
    }

    private mutating func appendExport() throws(TermDecodingError) {
        let index = try openNode(kind: .export, count: 0)
        pos += 1
        try appendAtom()
        try appendAtom()
        try appendSmallInteger(allowInteger: false)
        closeNode(index)
    }

    private mutating func parseFun() throws(TermDecodingError) {
        try need(30)
        let freeVariables = UInt64(u32(pos + 26))
        try checkDepth()
        hasFuns = true
        let index = try openNode(kind: .fun, count: UInt32(freeVariables))
        pos += 30
        try appendAtom()
        try appendSmallInteger(allowInteger: true)
        try appendSmallInteger(allowInteger: true)
        try need(1)
        let pidTag = buffer[pos]
        guard pidTag == ExternalTag.newPid || pidTag == ExternalTag.pid else {
            throw TermDecodingError(.unexpectedTag(expected: "a pid", found: pidTag), at: pos)
        }
        try appendIdentifier(.pid, header: 1, trailing: pidTag == ExternalTag.newPid ? 12 : 9)
        try openChildren(of: index, children: freeVariables)
    }

    // MARK: - Containers

    private mutating func container(
        _ kind: TermKind, header: Int, children: UInt64, count: UInt64
    ) throws(TermDecodingError) {
        try checkDepth()
        let index = try openNode(kind: kind, count: UInt32(truncatingIfNeeded: count))
        pos += header
        try openChildren(of: index, children: children)
    }

    private mutating func openChildren(of index: Int, children: UInt64) throws(TermDecodingError) {
        // Every child takes at least one byte: a larger count cannot be honest.
        let left = UInt64(buffer.count - pos)
        guard children <= left else {
            throw TermDecodingError(
                .truncated(needed: Int(clamping: children), available: Int(left)), at: Int(tape[index].offset))
        }
        if children == 0 {
            try finish(index)
            try completed()
        } else {
            // While open, `next` keeps the enclosing container's count of missing children and
            // `end` links to that container; the innermost one's count stays in `missing`.
            // Children are at most the bytes left, so the count fits.
            tape[index].next = missing
            tape[index].end = UInt32(bitPattern: Int32(innermostOpen))
            innermostOpen = index
            missing = UInt32(children)
            depth += 1
        }
    }

    private func checkDepth() throws(TermDecodingError) {
        guard depth < limits.maxDepth else {
            throw TermDecodingError(.nestingTooDeep(limit: limits.maxDepth), at: pos)
        }
    }

    /// Called when a subterm is complete: closes every container it completes.
    @inline(__always)
    private mutating func completed() throws(TermDecodingError) {
        while innermostOpen >= 0 {
            missing -= 1
            if missing != 0 { return }
            let index = innermostOpen
            missing = tape[index].next
            innermostOpen = Int(Int32(bitPattern: tape[index].end))
            depth -= 1
            try finish(index)
        }
    }

    private mutating func finish(_ index: Int) throws(TermDecodingError) {
        closeNode(index)
        let node = tape[index]
        if node.kind == .fun {
            let declared = Int(u32(Int(node.offset) + 1))
            // Size counts itself and what follows, not the tag byte.
            let actual = Int(node.end - node.offset) - 1
            guard declared == actual else {
                throw TermDecodingError(.invalidFunSize(declared: declared, actual: actual), at: Int(node.offset))
            }
        }
    }

    // MARK: - Tape

    @inline(__always)
    private mutating func appendNode(
        kind: TermKind, length: Int, count: UInt32, text: AtomRepertoire = .unknown
    ) throws(TermDecodingError) {
        try checkSubterms()
        let index = self.count
        (tape + index).initialize(
            to: TermNode(
                offset: UInt32(pos), end: UInt32(pos + length), next: UInt32(index + 1), count: count,
                kind: kind, tag: buffer[pos], text: text))
        self.count = index + 1
        pos += length
    }

    private mutating func openNode(kind: TermKind, count: UInt32) throws(TermDecodingError) -> Int {
        try checkSubterms()
        let index = self.count
        (tape + index).initialize(
            to: TermNode(offset: UInt32(pos), end: 0, next: 0, count: count, kind: kind, tag: buffer[pos]))
        self.count = index + 1
        return index
    }

    @inline(__always)
    private mutating func checkSubterms() throws(TermDecodingError) {
        guard count < limits.maxSubterms else {
            throw TermDecodingError(.tooManySubterms(limit: limits.maxSubterms), at: pos)
        }
        guard count < capacity else {
            outOfRoom = true
            throw TermDecodingError(.tooManySubterms(limit: capacity), at: pos)
        }
    }

    private mutating func closeNode(_ index: Int) {
        tape[index].end = UInt32(pos)
        tape[index].next = UInt32(count)
    }

    // MARK: - Bytes

    @inline(__always)
    private func need(_ count: Int) throws(TermDecodingError) {
        let available = buffer.count - pos
        guard count <= available else {
            throw TermDecodingError(.truncated(needed: count, available: available), at: pos)
        }
    }

    @inline(__always) private func u16(_ at: Int) -> UInt16 { BigEndian.u16(buffer, at) }
    @inline(__always) private func u32(_ at: Int) -> UInt32 { BigEndian.u32(buffer, at) }
    @inline(__always) private func u64(_ at: Int) -> UInt64 { BigEndian.u64(buffer, at) }
}
