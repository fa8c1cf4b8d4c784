import Foundation
import Synchronization

/// The texts that come back message after message on one channel (node names, operations,
/// components, units), kept as `String`s so that reading one again compares its bytes and
/// allocates nothing: a `String` of more than 15 UTF-8 bytes is a heap object, and a real node
/// name (`ex_esdb@host-1.example`) is one.
///
/// A direct-mapped table of 64 slots by a hash of the bytes; a text that does not fit or collides
/// is made afresh and takes the slot, so memory stays bounded whatever a peer sends, and a text
/// is only ever the bytes it was read from.
final class TextInterner: Sendable {
    private static let slots = 64
    /// Longer texts are free text more often than names: not worth keeping.
    private static let maxLength = 96

    /// Each slot's text, compared with the bytes through its own UTF-8: taking it out of the
    /// table is the one retain a text returned needs (an entry that also held the bytes as an
    /// array was copied out whole, its array retained and released on every lookup).
    private let table = Mutex<[String?]>(Array(repeating: nil, count: TextInterner.slots))

    func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.count <= Self.maxLength, bytes.count > 15 else { return String(decoding: bytes, as: UTF8.self) }
        let slot = Self.hash(bytes) & (Self.slots - 1)
        if let held = table.withLock({ $0[slot] }), Self.equal(held, bytes) { return held }
        let text = String(decoding: bytes, as: UTF8.self)
        table.withLock { $0[slot] = text }
        return text
    }

    private static func equal(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // A native String always has contiguous UTF-8 (nil only for a bridged one).
        text.utf8.withContiguousStorageIfAvailable { held in
            guard held.count == bytes.count else { return false }
            guard let left = held.baseAddress, let right = bytes.baseAddress else { return true }
            return memcmp(left, right, bytes.count) == 0
        } ?? false
    }

    /// A slot index only, never trusted for equality: the length and the first and last eight
    /// bytes (texts here are longer than 15), mixed: two loads where a byte-at-a-time hash was
    /// a chain of a multiplication per byte of each node name.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let raw = UnsafeRawBufferPointer(bytes)
        let first = raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        let last = raw.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
        var hash = (UInt64(bytes.count) ^ first) &* 0x9E37_79B9_7F4A_7C15
        hash = (hash ^ (hash >> 29) ^ last) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: hash ^ (hash >> 32))
    }
}
