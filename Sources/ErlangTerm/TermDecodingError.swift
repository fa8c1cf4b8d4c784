/// Why a byte sequence is not a valid external term, and where the decoder stopped.
///
/// `offset` counts from the start of the buffer given to the decoder (or of the decompressed
/// data, for a compressed term, which `inCompressedData` says).
public struct TermDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case truncated(needed: Int, available: Int)
        case missingVersion(found: UInt8)
        case unknownTag(UInt8)
        case misplacedTag(UInt8)
        case unexpectedTag(expected: String, found: UInt8)
        case inputTooLarge(size: Int, limit: Int)
        case nestingTooDeep(limit: Int)
        case tooManySubterms(limit: Int)
        case atomTooLong(characters: Int)
        case invalidAtomText
        case atomCacheReferenceWithoutCache(index: Int)
        case bigIntegerTooLarge(bytes: Int, limit: Int)
        case invalidSign(UInt8)
        case nonFiniteFloat
        case invalidFloatText
        case invalidBitCount(UInt8)
        case invalidReferenceLength(Int)
        case invalidFunSize(declared: Int, actual: Int)
        case decompressedTooLarge(declared: Int, limit: Int)
        case decompressedSizeMismatch(declared: Int, actual: Int)
        case decompressedLargerThanDeclared(declared: Int)
        case corruptCompressedData
        case trailingBytes(count: Int)
    }

    public let kind: Kind
    public let offset: Int
    public var inCompressedData = false

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String {
        let place = inCompressedData ? "byte \(offset) of the decompressed term" : "byte \(offset)"
        return "invalid external term at \(place): \(reason)"
    }

    private var reason: String {
        switch kind {
        case .truncated(let needed, let available):
            return "truncated: \(needed) bytes needed, \(available) left"
        case .missingVersion(let found):
            return "expected the version byte 131, found \(found)"
        case .unknownTag(let tag):
            return "unknown tag \(tag)"
        case .misplacedTag(let tag):
            return "tag \(tag) may only start a whole term"
        case .unexpectedTag(let expected, let found):
            return "expected \(expected), found tag \(found)"
        case .inputTooLarge(let size, let limit):
            return "\(size) bytes exceed the limit of \(limit)"
        case .nestingTooDeep(let limit):
            return "nested deeper than the limit of \(limit)"
        case .tooManySubterms(let limit):
            return "more than \(limit) subterms"
        case .atomTooLong(let characters):
            return "atom of \(characters) characters (at most 255 allowed)"
        case .invalidAtomText:
            return "atom text is not valid UTF-8"
        case .atomCacheReferenceWithoutCache(let index):
            return "atom cache reference \(index) but no atom cache was supplied"
        case .bigIntegerTooLarge(let bytes, let limit):
            return "integer of \(bytes) bytes exceeds the limit of \(limit)"
        case .invalidSign(let sign):
            return "integer sign byte \(sign) is neither 0 nor 1"
        case .nonFiniteFloat:
            return "float is not finite"
        case .invalidFloatText:
            return "FLOAT_EXT text is not a number"
        case .invalidBitCount(let bits):
            return "bit count \(bits) of a bitstring is not in 1...8"
        case .invalidReferenceLength(let length):
            return "reference with \(length) words (1 to 5 allowed)"
        case .invalidFunSize(let declared, let actual):
            return "fun declares \(declared) bytes but spans \(actual)"
        case .decompressedTooLarge(let declared, let limit):
            return "compressed term declares \(declared) bytes, over the limit of \(limit)"
        case .decompressedSizeMismatch(let declared, let actual):
            return "compressed term declares \(declared) bytes but inflates to \(actual)"
        case .decompressedLargerThanDeclared(let declared):
            return "compressed term inflates to more than the \(declared) bytes it declares"
        case .corruptCompressedData:
            return "compressed data is not a valid zlib stream"
        case .trailingBytes(let count):
            return "\(count) bytes follow the term"
        }
    }
}
