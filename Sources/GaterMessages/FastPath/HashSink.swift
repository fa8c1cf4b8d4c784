import COpenSSLCrypto

/// Collects re-encoded bytes in a buffer and feeds them to a SHA-256 state whenever it fills,
/// so that a message is hashed in one or two updates rather than one per run between atoms.
struct HashSink {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private var count = 0
    private let state: UnsafeMutablePointer<SHA256_CTX>

    init(buffer: UnsafeMutableBufferPointer<UInt8>, state: UnsafeMutablePointer<SHA256_CTX>) {
        self.buffer = buffer
        self.state = state
    }

    mutating func append(byte: UInt8) {
        if count == buffer.count { flush() }
        buffer[count] = byte
        count += 1
    }

    /// Appends `bytes`; `readable` bytes may be read from where they start (at least their count),
    /// which lets a short run go as two 8-byte moves instead of a call to memmove.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, readable: Int) {
        guard let source = bytes.baseAddress, let target = buffer.baseAddress, !bytes.isEmpty else { return }
        if bytes.count > buffer.count - count {
            flush()
            if bytes.count >= buffer.count {
                _ = SHA256_Update(state, source, bytes.count)
                return
            }
        }
        if bytes.count <= 16, readable >= 16, buffer.count - count >= 16 {
            let from = UnsafeRawPointer(source)
            let to = UnsafeMutableRawPointer(target + count)
            to.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
        } else {
            (target + count).update(from: source, count: bytes.count)
        }
        count += bytes.count
    }

    /// ATOM_EXT's header (100, 0, length), as OTP 25 writes a Latin-1 atom.
    mutating func appendLegacyAtomHeader(length: UInt8) {
        if buffer.count - count < 3 { flush() }
        buffer[count] = 100
        buffer[count + 1] = 0
        buffer[count + 2] = length
        count += 3
    }

    mutating func flush() {
        guard count > 0 else { return }
        _ = SHA256_Update(state, buffer.baseAddress, count)
        count = 0
    }
}
