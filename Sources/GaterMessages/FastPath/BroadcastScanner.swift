import ErlangTerm

/// One pass over a broadcast's bytes as they came off the wire: validates every subterm of the
/// signed inner term, notes where its atoms are (their re-encoding in the publisher's atom style
/// is then hashed in one go, `LegacyEncoding`) and where the payload's fields are, without
/// building a `TermView`.
///
/// It knows only the shapes ExESDBGater broadcasts have (ASCII atoms in SMALL_ATOM_UTF8_EXT,
/// integers, floats, binaries, tuples, lists, maps, bignums, pids): anything else makes it give up
/// (`ScanFallback`), and the broadcast then takes the general path (`TermView`, `GaterDecoder`),
/// which decides. So this path only ever accepts what the general one accepts.
struct BroadcastScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    /// Where each atom's tag is, while `marking`: the atoms the legacy style rewrites.
    private var marks: UnsafeMutableBufferPointer<Int32>?
    private(set) var markCount = 0
    private let legacy: Bool

    /// Deeper terms are left to the general path, whose limits are configurable.
    static let maxDepth = 32
    /// More atoms than this in one signed term (ExESDBGater's have about 30) are left to the
    /// general path too; their offsets take 1 KiB of stack (and one past 2 GiB, too).
    static let maxAtoms = 256

    init(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int, legacy: Bool) {
        self.bytes = bytes
        self.position = position
        self.legacy = legacy
    }

    // MARK: - Atom marks

    /// From here on, notes in `marks` where each atom is (in the legacy style only: the UTF-8
    /// style hashes the bytes as they are).
    mutating func startMarking(into marks: UnsafeMutableBufferPointer<Int32>) {
        guard legacy else { return }
        self.marks = marks
        markCount = 0
    }

    /// The atoms noted since `startMarking`, in order; noting stops.
    mutating func stopMarking() -> UnsafeBufferPointer<Int32> {
        defer { marks = nil }
        guard let marks else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(rebasing: marks[0..<markCount])
    }

    // MARK: - Terms

    /// Validates one term of any supported shape and moves past it.
    mutating func skipTerm(depth: Int = 0) throws(ScanFallback) {
        guard depth < Self.maxDepth else { throw ScanFallback() }
        let tag = try byte(at: position)
        switch tag {
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
            guard pairs <= bytes.count - position else { throw ScanFallback() }
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
            // NEW_PID_EXT (a LogEntry's or a ProcessLifecycle's pid): its node atom, id, serial, creation.
            try advance(1)
            _ = try atom()
            try advance(12)
        default: throw ScanFallback()
        }
    }

    /// An ASCII SMALL_ATOM_UTF8_EXT atom: its text's range. Noted while marking: the legacy style
    /// writes it as ATOM_EXT, as OTP 25's `term_to_binary/1` does.
    mutating func atom() throws(ScanFallback) -> Range<Int> {
        guard try byte(at: position) == ExternalTag.smallAtomUTF8 else { throw ScanFallback() }
        let length = Int(try byte(at: position + 1))
        let text = (position + 2)..<(position + 2 + length)
        guard text.upperBound <= bytes.count, Self.isASCII(bytes, text) else {
            throw ScanFallback()
        }
        if let marks {
            guard markCount < marks.count, let mark = Int32(exactly: position) else { throw ScanFallback() }
            marks[markCount] = mark
            markCount += 1
        }
        position = text.upperBound
        return text
    }

    /// Whether `bytes[range]` is ASCII; written here so that it inlines into `atom()`, which
    /// asks it of every atom.
    @inline(__always)
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var index = range.lowerBound
        let raw = UnsafeRawBufferPointer(bytes)
        while index + 8 <= range.upperBound {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < range.upperBound {
            if bytes[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    /// A NEW_FLOAT_EXT, finite, as the general parser requires.
    mutating func float() throws(ScanFallback) -> Double {
        guard try byte(at: position) == ExternalTag.newFloat, position + 9 <= bytes.count else { throw ScanFallback() }
        let value = Double(bitPattern: BigEndian.u64(bytes, position + 1))
        guard value.isFinite else { throw ScanFallback() }
        position += 9
        return value
    }

    private mutating func bignum(header: Int, digits: Int) throws(ScanFallback) {
        // Within the general parser's default limit (16 KiB); its sign byte is 0 or 1.
        guard digits <= 16 * 1024, try byte(at: position + header - 1) <= 1 else { throw ScanFallback() }
        try advance(header + digits)
    }

    // MARK: - Bytes

    func byte(at index: Int) throws(ScanFallback) -> UInt8 {
        guard index >= 0, index < bytes.count else { throw ScanFallback() }
        return bytes[index]
    }

    /// A 4-byte length, refused when it cannot be honest (every element takes a byte at least).
    func length(at index: Int) throws(ScanFallback) -> Int {
        guard index >= 0, index + 4 <= bytes.count else { throw ScanFallback() }
        let value = Int(BigEndian.u32(bytes, index))
        guard value <= bytes.count - index - 4 else { throw ScanFallback() }
        return value
    }

    func u16(at index: Int) throws(ScanFallback) -> UInt16 {
        guard index >= 0, index + 2 <= bytes.count else { throw ScanFallback() }
        return BigEndian.u16(bytes, index)
    }

    mutating func advance(_ count: Int) throws(ScanFallback) {
        guard count >= 0, count <= bytes.count - position else { throw ScanFallback() }
        position += count
    }
}

/// The broadcast has a shape the scanner does not take: the general path reads it.
struct ScanFallback: Error {}
