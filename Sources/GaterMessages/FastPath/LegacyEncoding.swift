import COpenSSLCrypto
import ErlangTerm

/// Hands a scanned inner term to the HMAC as its publisher's `term_to_binary/1` wrote it: the
/// version byte, then the bytes as they came, except that in the legacy style (OTP 25 and older)
/// each atom noted by the scanner is written as ATOM_EXT (`100, 0, Length`) instead of
/// SMALL_ATOM_UTF8_EXT (`119, Length`).
///
/// Done after the scan, in one tight loop over the noted atoms into a stack buffer, so that the
/// message goes to SHA-256 in one update (two for a large one) instead of a call per atom.
enum LegacyEncoding {
    /// Bytes gathered before an update; a signed ExESDBGater term is about 450. With the 16 bytes
    /// of slack it stays within the 1 KiB that `withUnsafeTemporaryAllocation` takes from the
    /// stack without asking how much stack is left (a larger one costs a call per message).
    static let chunk = 1008

    /// Feeds `bytes[term]` re-encoded, with the atoms at `atoms` (their tags' offsets, in order,
    /// all inside `term`) rewritten; `atoms` is empty in the UTF-8 style.
    static func feed(
        _ bytes: UnsafeBufferPointer<UInt8>, _ term: Range<Int>, atoms: UnsafeBufferPointer<Int32>,
        into state: UnsafeMutablePointer<SHA256_CTX>
    ) {
        var version = ExternalTag.version
        _ = SHA256_Update(state, &version, 1)
        guard !atoms.isEmpty else {
            _ = SHA256_Update(state, bytes.baseAddress.map { $0 + term.lowerBound }, term.count)
            return
        }
        // 16 bytes past `chunk` take the last short run's second word (see `Output.append`).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunk + 16) { buffer in
            var output = Output(buffer: buffer, state: state)
            var from = term.lowerBound
            for mark in atoms {
                let atom = Int(mark)
                output.append(bytes, from..<atom)
                output.appendAtomHeader(length: bytes[atom + 1])
                from = atom + 2
            }
            output.append(bytes, from..<term.upperBound)
            output.flush()
        }
    }

    /// The stack buffer and what it holds so far.
    private struct Output {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        let state: UnsafeMutablePointer<SHA256_CTX>
        var count = 0

        init(buffer: UnsafeMutableBufferPointer<UInt8>, state: UnsafeMutablePointer<SHA256_CTX>) {
            self.buffer = buffer
            self.state = state
        }

        /// A run between two atoms: most are a few bytes, copied as two 8-byte moves when 16
        /// bytes may be read from where the run starts (its source is the frame, which goes on).
        @inline(__always)
        mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, _ run: Range<Int>) {
            guard !run.isEmpty, let source = bytes.baseAddress, let target = buffer.baseAddress else { return }
            if count + run.count > LegacyEncoding.chunk {
                flush()
                if run.count >= LegacyEncoding.chunk {
                    _ = SHA256_Update(state, source + run.lowerBound, run.count)
                    return
                }
            }
            if run.count <= 16, bytes.count - run.lowerBound >= 16 {
                let from = UnsafeRawPointer(source + run.lowerBound)
                let to = UnsafeMutableRawPointer(target + count)
                to.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
                to.storeBytes(
                    of: from.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
            } else {
                (target + count).update(from: source + run.lowerBound, count: run.count)
            }
            count += run.count
        }

        @inline(__always)
        mutating func appendAtomHeader(length: UInt8) {
            if count + 3 > LegacyEncoding.chunk { flush() }
            buffer[count] = ExternalTag.atom
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
}
