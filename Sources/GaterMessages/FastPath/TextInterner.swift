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

    /// FNV-1a: a slot index only, never trusted for equality.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash)
    }
}
