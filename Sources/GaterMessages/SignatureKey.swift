import COpenSSLCrypto

/// HMAC-SHA256 (RFC 2104) with the key's inner and outer pads absorbed once.
///
/// The keyed states are plain `SHA256_CTX` values of the system's libcrypto, copied per message
/// on the stack: no allocation, no lock, no run-time exclusivity check. (swift-crypto's `SHA256`
/// keeps its state in a class: every message paid a copy-on-write allocation and checked access
/// per keyed state, as much as the hashing itself.)
struct SignatureKey: Sendable {
    private let inner: SHA256_CTX
    private let outer: SHA256_CTX

    init(_ key: [UInt8]) {
        var block = key.count > 64 ? Self.digest(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        inner = Self.absorbing(block.map { $0 ^ 0x36 })
        outer = Self.absorbing(block.map { $0 ^ 0x5C })
    }

    /// Whether `signature` is the MAC of `data`, compared in constant time.
    func isValid(_ signature: ArraySlice<UInt8>, for data: [UInt8]) -> Bool {
        isValid(signature) { update in data.withUnsafeBytes(update) }
    }

    /// Whether `signature` is the MAC of the bytes `write` hands on, in as many pieces as it
    /// likes: the message is hashed as it is written, never held whole.
    func isValid(
        _ signature: ArraySlice<UInt8>, of write: (_ update: (UnsafeRawBufferPointer) -> Void) -> Void
    ) -> Bool {
        isValid(signature) { state in write { bytes in _ = SHA256_Update(state, bytes.baseAddress, bytes.count) } }
    }

    /// The MAC of the bytes `write` hands on, as 32 bytes.
    func mac(of write: (_ update: (UnsafeRawBufferPointer) -> Void) -> Void) -> SHA256Digest {
        mac { state in write { bytes in _ = SHA256_Update(state, bytes.baseAddress, bytes.count) } }
    }

    /// Whether `signature` is the MAC of what `feed` hands to the keyed state it is given
    /// (through `SHA256_Update`), compared in constant time.
    func isValid<Signature: Collection<UInt8>>(
        _ signature: Signature, feeding feed: (UnsafeMutablePointer<SHA256_CTX>) -> Void
    ) -> Bool {
        mac(feeding: feed).withUnsafeBytes { mac in
            guard mac.count == signature.count else { return false }
            var difference: UInt8 = 0
            for (index, byte) in signature.enumerated() { difference |= byte ^ mac[index] }
            return difference == 0
        }
    }

    /// The MAC of what `feed` hands to the keyed state, as 32 bytes.
    func mac(feeding feed: (UnsafeMutablePointer<SHA256_CTX>) -> Void) -> SHA256Digest {
        var hash = inner
        // The writer sees a pointer, not the variable: capturing the variable would box it.
        withUnsafeMutablePointer(to: &hash) { state in feed(state) }
        var innerDigest = SHA256Digest()
        innerDigest.finish(&hash)
        hash = outer
        innerDigest.withUnsafeBytes { _ = SHA256_Update(&hash, $0.baseAddress, $0.count) }
        var digest = SHA256Digest()
        digest.finish(&hash)
        return digest
    }

    private static func absorbing(_ pad: [UInt8]) -> SHA256_CTX {
        var state = SHA256_CTX()
        _ = SHA256_Init(&state)
        pad.withUnsafeBytes { _ = SHA256_Update(&state, $0.baseAddress, $0.count) }
        return state
    }

    private static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var state = SHA256_CTX()
        _ = SHA256_Init(&state)
        bytes.withUnsafeBytes { _ = SHA256_Update(&state, $0.baseAddress, $0.count) }
        var digest = SHA256Digest()
        digest.finish(&state)
        return digest.withUnsafeBytes { Array($0) }
    }
}

/// 32 bytes of SHA-256 output, held inline.
struct SHA256Digest {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    mutating func finish(_ state: inout SHA256_CTX) {
        withUnsafeMutableBytes(of: &words) { out in
            // `out` is exactly SHA256_DIGEST_LENGTH (32) bytes.
            _ = SHA256_Final(out.baseAddress?.assumingMemoryBound(to: UInt8.self), &state)
        }
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        Swift.withUnsafeBytes(of: words, body)
    }
}
