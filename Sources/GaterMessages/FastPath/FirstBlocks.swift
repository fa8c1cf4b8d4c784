import COpenSSLCrypto
import ErlangTerm
import Foundation
import Synchronization

/// The keyed HMAC state after the first 64-byte block of a signed message, one per message kind
/// and atom style, so that a message whose first block is that one starts from there.
///
/// The first block of a Gater message is the same from message to message of a kind: the version
/// byte, `{Tag, %{__struct__ => Module, ...` and the module's name fill it before the first value.
/// SHA-256 takes a message 64 bytes at a time, so the state after them is fixed by those bytes:
/// reusing it saves one of the 9 blocks an ExESDBGater message costs.
///
/// Each slot is filled once, by the first message of its kind, and never changed: read with one
/// atomic load and no lock by every connection's thread. A kind whose first block varies (two
/// versions of a struct in one cluster) keeps the first one seen; the others hash in full.
final class FirstBlocks: Sendable {
    static let size = 64

    /// The block's bytes, then the state after them.
    private struct Memo {
        var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        var state: SHA256_CTX
    }

    /// Per kind, for the legacy style then the UTF-8 one: the address of its memo, 0 while empty
    /// (an address as an integer: a pointer is not `Sendable`, though a memo never changes once
    /// published).
    private let slots = InlineArray<74, Atomic<Int>> { _ in Atomic(0) }

    init() {
        precondition(GaterMessageKind.allCases.count * 2 == 74, "FirstBlocks needs two slots per kind")
    }

    deinit {
        for index in slots.indices { Self.memo(slots[index].load(ordering: .acquiring))?.deallocate() }
    }

    /// The slot of messages of `kind` hashed in `style`.
    func slot(_ kind: GaterMessageKind, _ style: AtomStyle) -> Int {
        kind.position * 2 + (style == .legacy ? 0 : 1)
    }

    /// Absorbs the 64 bytes at `block` into `state`: copies the remembered state when they are the
    /// slot's block, else hashes them (and remembers the result when the slot is empty). `state`
    /// must hold the key's inner pad and nothing more, as it does for every message.
    func absorb(_ block: UnsafeRawPointer, into state: UnsafeMutablePointer<SHA256_CTX>, slot: Int) {
        let known = Self.memo(slots[slot].load(ordering: .acquiring))
        if let known, memcmp(known, block, Self.size) == 0 {
            state.pointee = known.pointee.state
            return
        }
        _ = SHA256_Update(state, block, Self.size)
        guard known == nil else { return }
        let memo = UnsafeMutablePointer<Memo>.allocate(capacity: 1)
        memo.initialize(to: Memo(block: (0, 0, 0, 0, 0, 0, 0, 0), state: state.pointee))
        withUnsafeMutableBytes(of: &memo.pointee.block) {
            $0.copyMemory(from: UnsafeRawBufferPointer(start: block, count: Self.size))
        }
        // Another thread may have filled the slot meanwhile: its memo stays, this one goes.
        let address = Int(bitPattern: memo)
        if !slots[slot].compareExchange(expected: 0, desired: address, ordering: .acquiringAndReleasing).exchanged {
            memo.deallocate()
        }
    }

    private static func memo(_ address: Int) -> UnsafeMutablePointer<Memo>? {
        UnsafeMutablePointer(bitPattern: address)
    }
}
