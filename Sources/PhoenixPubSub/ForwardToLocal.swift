import ErlangTerm
import Foundation

/// The head of `{forward_to_local, Topic, Message, Dispatcher}` as the BEAM writes it: version
/// byte, SMALL_TUPLE_EXT of 4, the atom as SMALL_ATOM_UTF8_EXT, the topic as BINARY_EXT.
public enum ForwardToLocal {
    static let head: [UInt8] =
        [ExternalTag.version, ExternalTag.smallTuple, 4, ExternalTag.smallAtomUTF8, 16] + Array("forward_to_local".utf8)
        + [ExternalTag.binary]

    /// `head.count`, as a constant the hot path reads without touching the array.
    static let headLength = 22

    /// `head` as three little-endian words read at 0, 8 and 14 (the last two overlap): compared
    /// with three loads, no call and no array (`headWordsAreTheHead` checks them against `head`).
    static let headWords: (UInt64, UInt64, UInt64) = (
        0x726F_6610_7704_6883, 0x5F6F_745F_6472_6177, 0x6D6C_6163_6F6C_5F6F
    )

    @inline(__always)
    static func startsWithHead(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        return raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian == headWords.0
            && raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self).littleEndian == headWords.1
            && raw.loadUnaligned(fromByteOffset: offset + 14, as: UInt64.self).littleEndian == headWords.2
    }

    /// The topic and where `Message` starts, when `bytes[offset...]` begins that way; nil for any
    /// other spelling, which a full decode then reads.
    public static func header(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> (topic: String, message: Int)? {
        let lengthAt = offset + headLength
        guard offset >= 0, lengthAt + 4 <= bytes.count, startsWithHead(bytes, at: offset) else { return nil }
        let length = Int(BigEndian.u32(bytes, lengthAt))
        let start = lengthAt + 4
        guard length <= bytes.count - start else { return nil }
        // Topics are short: up to 15 bytes, the string is held inline and allocates nothing.
        let topic = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(start + length)]), as: UTF8.self)
        return (topic, start + length)
    }

    /// The same, for bytes in an array.
    public static func header(_ bytes: [UInt8], at offset: Int) -> (topic: String, message: Int)? {
        bytes.withUnsafeBufferPointer { header($0, at: offset) }
    }
}
