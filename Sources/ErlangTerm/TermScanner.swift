/// Reads term bytes in place, as they came off the wire, without building a `TermView`: bounded
/// reads of the tags' fields, and a pass over whole terms that validates every subterm and can
/// note where each atom is (a signature check re-encodes atoms in another style from those notes).
///
/// It takes only the shapes a fast path needs (ASCII atoms in SMALL_ATOM_UTF8_EXT, integers,
/// floats, binaries, strings, tuples, lists, maps, bignums, pids): anything else throws
/// `Unsupported`, and the caller's general path (`TermView`), which decides, reads the bytes
/// instead. So a fast path built on it only ever accepts what the general one accepts.
///
/// Every member is inlinable: the scanner runs once per broadcast, and a call per byte read
/// across the module boundary would cost more than the read.
public struct TermScanner {
    public let bytes: UnsafeBufferPointer<UInt8>
    public var position: Int
    /// Where each atom's tag is, while noting (`startNoting`).
    @usableFromInline var notes: UnsafeMutableBufferPointer<Int32>?
    @usableFromInline var noteCount = 0

    /// The bytes have a shape the scanner does not take: the general path must read them.
    public struct Unsupported: Error {
        @inlinable public init() {}
    }

    /// Deeper terms are left to the general path, whose limits are configurable.
    @inlinable public static var maxDepth: Int { 32 }
    /// The most atoms noted in one pass; their offsets take 1 KiB (and one past 2 GiB, too).
    @inlinable public static var maxNotedAtoms: Int { 256 }

    @inlinable
    public init(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) {
        self.bytes = bytes
        self.position = position
    }

    // MARK: - Atom notes

    /// From here on, notes in `notes` where each atom's tag is.
    @inlinable
    public mutating func startNoting(into notes: UnsafeMutableBufferPointer<Int32>) {
        self.notes = notes
        noteCount = 0
    }

    /// The atoms noted since `startNoting`, in order (none without it); noting stops.
    @inlinable
    public mutating func stopNoting() -> UnsafeBufferPointer<Int32> {
        defer { notes = nil }
        guard let notes else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(rebasing: notes[0..<noteCount])
    }

    // MARK: - Terms

    /// Validates one term of any supported shape and moves past it.
    @inlinable
    public mutating func skipTerm(depth: Int = 0) throws(Unsupported) {
        guard depth < Self.maxDepth else { throw Unsupported() }
        switch try byte(at: position) {
        case ExternalTag.smallAtomUTF8: _ = try atom()
        case ExternalTag.smallInteger: try advance(2)
        case ExternalTag.integer: try advance(5)
        case ExternalTag.newFloat: _ = try float()
        case ExternalTag.nilList: try advance(1)
        case ExternalTag.smallTuple:
            let arity = Int(try byte(at: position + 1))
            try advance(2)
            for _ in 0..<arity { try skipTerm(depth: depth + 1) }
        case ExternalTag.largeTuple:
            let arity = try length(at: position + 1)
            try advance(5)
            for _ in 0..<arity { try skipTerm(depth: depth + 1) }
        case ExternalTag.map:
            let pairs = try length(at: position + 1)
            try advance(5)
            guard pairs <= bytes.count - position else { throw Unsupported() }
            for _ in 0..<(2 * pairs) { try skipTerm(depth: depth + 1) }
        case ExternalTag.list:
            let elements = try length(at: position + 1)
            try advance(5)
            for _ in 0...elements { try skipTerm(depth: depth + 1) }
        case ExternalTag.string: try advance(3 + Int(try u16(at: position + 1)))
        case ExternalTag.binary: try advance(5 + (try length(at: position + 1)))
        case ExternalTag.smallBig: try bignum(header: 3, digits: Int(try byte(at: position + 1)))
        case ExternalTag.largeBig: try bignum(header: 6, digits: try length(at: position + 1))
        case ExternalTag.newPid:
            // Its node atom, then id, serial and creation.
            try advance(1)
            _ = try atom()
            try advance(12)
        default: throw Unsupported()
        }
    }

    /// An ASCII SMALL_ATOM_UTF8_EXT atom: its text's range; noted while noting.
    @inlinable
    public mutating func atom() throws(Unsupported) -> Range<Int> {
        guard try byte(at: position) == ExternalTag.smallAtomUTF8 else { throw Unsupported() }
        let length = Int(try byte(at: position + 1))
        let text = (position + 2)..<(position + 2 + length)
        guard text.upperBound <= bytes.count, Self.isASCII(bytes, text) else { throw Unsupported() }
        if let notes {
            guard noteCount < notes.count, let note = Int32(exactly: position) else { throw Unsupported() }
            notes[noteCount] = note
            noteCount += 1
        }
        position = text.upperBound
        return text
    }

    /// Moves past an atom its caller has matched byte for byte with a known ASCII name in
    /// SMALL_ATOM_UTF8_EXT (`length` bytes, tag and length byte included); noted while noting,
    /// as `atom()` would.
    @inlinable
    public mutating func passMatchedAtom(length: Int) throws(Unsupported) {
        if let notes {
            guard noteCount < notes.count, let note = Int32(exactly: position) else { throw Unsupported() }
            notes[noteCount] = note
            noteCount += 1
        }
        try advance(length)
    }

    /// Whether `bytes[range]` is ASCII, eight bytes at a time: it inlines into `atom()`, which
    /// asks it of every atom. The bytes after the last whole word are read as one more word,
    /// the last eight of the range, or masked from the word at its start when the range is
    /// shorter (one by one only where fewer than eight bytes are left in the buffer).
    @inlinable @inline(__always)
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        let high: UInt64 = 0x8080_8080_8080_8080
        if range.count >= 8 {
            var index = range.lowerBound
            while index + 8 <= range.upperBound {
                if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & high != 0 { return false }
                index += 8
            }
            guard index < range.upperBound else { return true }
            return raw.loadUnaligned(fromByteOffset: range.upperBound - 8, as: UInt64.self) & high == 0
        }
        guard !range.isEmpty else { return true }
        if range.lowerBound + 8 <= bytes.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: range.lowerBound, as: UInt64.self))
            return word & high & ((1 << UInt64(range.count * 8)) - 1) == 0
        }
        for index in range where bytes[index] >= 0x80 { return false }
        return true
    }

    /// A NEW_FLOAT_EXT, finite, as the general parser requires.
    @inlinable
    public mutating func float() throws(Unsupported) -> Double {
        guard try byte(at: position) == ExternalTag.newFloat, position + 9 <= bytes.count else { throw Unsupported() }
        let value = Double(bitPattern: BigEndian.u64(bytes, position + 1))
        guard value.isFinite else { throw Unsupported() }
        position += 9
        return value
    }

    @inlinable
    mutating func bignum(header: Int, digits: Int) throws(Unsupported) {
        // Within the general parser's default limit (16 KiB); its sign byte is 0 or 1.
        guard digits <= 16 * 1024, try byte(at: position + header - 1) <= 1 else { throw Unsupported() }
        try advance(header + digits)
    }

    // MARK: - Bytes

    @inlinable
    public func byte(at index: Int) throws(Unsupported) -> UInt8 {
        guard index >= 0, index < bytes.count else { throw Unsupported() }
        return bytes[index]
    }

    /// A 4-byte length, refused when it cannot be honest (every element takes a byte at least).
    @inlinable
    public func length(at index: Int) throws(Unsupported) -> Int {
        guard index >= 0, index + 4 <= bytes.count else { throw Unsupported() }
        let value = Int(BigEndian.u32(bytes, index))
        guard value <= bytes.count - index - 4 else { throw Unsupported() }
        return value
    }

    @inlinable
    public func u16(at index: Int) throws(Unsupported) -> UInt16 {
        guard index >= 0, index + 2 <= bytes.count else { throw Unsupported() }
        return BigEndian.u16(bytes, index)
    }

    @inlinable
    public mutating func advance(_ count: Int) throws(Unsupported) {
        guard count >= 0, count <= bytes.count - position else { throw Unsupported() }
        position += count
    }

    /// The text of a range of the bytes.
    @inlinable
    public func text(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[range])
    }
}
