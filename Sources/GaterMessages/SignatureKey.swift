import Crypto

/// HMAC-SHA256 (RFC 2104) with the key's inner and outer pads absorbed once.
///
/// swift-crypto's `HMAC` derives both pads and runs two extra SHA-256 blocks on every call, through
/// generic code that is not specialized across modules; at one signature per message that was
/// most of the cost. The hashing is still swift-crypto's SHA256; only the keyed states are kept.
struct SignatureKey: Sendable {
    private let inner: SHA256
    private let outer: SHA256

    init(_ key: [UInt8]) {
        var block = key.count > 64 ? Array(SHA256.hash(data: key)) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var inner = SHA256()
        var outer = SHA256()
        block.map { $0 ^ 0x36 }.withUnsafeBytes { inner.update(bufferPointer: $0) }
        block.map { $0 ^ 0x5C }.withUnsafeBytes { outer.update(bufferPointer: $0) }
        self.inner = inner
        self.outer = outer
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
        var innerHash = inner
        write { innerHash.update(bufferPointer: $0) }
        var outerHash = outer
        innerHash.finalize().withUnsafeBytes { outerHash.update(bufferPointer: $0) }
        return outerHash.finalize().withUnsafeBytes { mac in
            guard mac.count == signature.count else { return false }
            var difference: UInt8 = 0
            for (index, byte) in signature.enumerated() { difference |= byte ^ mac[index] }
            return difference == 0
        }
    }
}
