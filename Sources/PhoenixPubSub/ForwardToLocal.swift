import ErlangTerm
import Foundation

/// The head of `{forward_to_local, Topic, Message, Dispatcher}` as the BEAM writes it: version
/// byte, SMALL_TUPLE_EXT of 4, the atom as SMALL_ATOM_UTF8_EXT, the topic as BINARY_EXT.
public enum ForwardToLocal {
    static let head: [UInt8] = [131, 104, 4, 119, 16] + Array("forward_to_local".utf8) + [109]

    /// The topic and where `Message` starts, when `bytes[offset...]` begins that way; nil for any
    /// other spelling, which a full decode then reads.
    public static func header(_ bytes: [UInt8], at offset: Int) -> (topic: String, message: Int)? {
        bytes.withUnsafeBufferPointer { buffer in
            let lengthAt = offset + head.count
            guard offset >= 0, lengthAt + 4 <= buffer.count, let base = buffer.baseAddress,
                head.withUnsafeBufferPointer({ expected in
                    expected.baseAddress.map { memcmp(base + offset, $0, expected.count) == 0 } ?? false
                })
            else { return nil }
            let length = Int(BigEndian.u32(buffer, lengthAt))
            let start = lengthAt + 4
            guard length <= buffer.count - start else { return nil }
            let topic = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<(start + length)]), as: UTF8.self)
            return (topic, start + length)
        }
    }
}
