import ErlangTerm
import Foundation

/// The head of `{forward_to_local, Topic, Message, Dispatcher}` as the BEAM writes it: version
/// byte, SMALL_TUPLE_EXT of 4, the atom as SMALL_ATOM_UTF8_EXT, the topic as BINARY_EXT.
public enum ForwardToLocal {
    static let head: [UInt8] =
        [ExternalTag.version, ExternalTag.smallTuple, 4, ExternalTag.smallAtomUTF8, 16] + Array("forward_to_local".utf8)
        + [ExternalTag.binary]

    /// The topic and where `Message` starts, when `bytes[offset...]` begins that way; nil for any
    /// other spelling, which a full decode then reads.
    public static func header(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> (topic: String, message: Int)? {
        let lengthAt = offset + head.count
        guard offset >= 0, lengthAt + 4 <= bytes.count, let base = bytes.baseAddress,
            head.withUnsafeBufferPointer({ expected in
                expected.baseAddress.map { memcmp(base + offset, $0, expected.count) == 0 } ?? false
            })
        else { return nil }
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
