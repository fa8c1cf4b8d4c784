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

    /// Feeds the version byte and `bytes[term]` re-encoded, with the atoms at `atoms` (their
    /// tags' offsets, in order, all inside `term`) rewritten; `atoms` is empty in the UTF-8 style.
    /// The first 64 bytes go through `firstBlocks` (slot `slot`), which knows the state after
    /// them when they are its kind's usual ones.
    static func feed(
        _ bytes: UnsafeBufferPointer<UInt8>, _ term: Range<Int>, atoms: UnsafeBufferPointer<Int32>,
        into state: UnsafeMutablePointer<SHA256_CTX>, firstBlocks: FirstBlocks, slot: Int
    ) {
        guard !atoms.isEmpty else {
            feedAsItCame(bytes, term, into: state, firstBlocks: firstBlocks, slot: slot)
            return
        }
        // 16 bytes past `chunk` take the last short run's second word (see `Output.append`).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunk + 16) { buffer in
            var output = Output(buffer: buffer, state: state, firstBlocks: firstBlocks, slot: slot)
            output.appendVersion()
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

    /// The UTF-8 style: the version byte, then the term as it came, its first 63 bytes joined to
    /// the version byte as the first block.
    private static func feedAsItCame(
        _ bytes: UnsafeBufferPointer<UInt8>, _ term: Range<Int>, into state: UnsafeMutablePointer<SHA256_CTX>,
        firstBlocks: FirstBlocks, slot: Int
    ) {
        guard let base = bytes.baseAddress else { return }
        let head = FirstBlocks.size - 1
        guard term.count >= head else {
            var version = ExternalTag.version
            _ = SHA256_Update(state, &version, 1)
            _ = SHA256_Update(state, base + term.lowerBound, term.count)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: FirstBlocks.size) { block in
            guard let start = block.baseAddress else { return }
            start.initialize(to: ExternalTag.version)
            (start + 1).update(from: base + term.lowerBound, count: head)
            firstBlocks.absorb(start, into: state, slot: slot)
        }
        _ = SHA256_Update(state, base + term.lowerBound + head, term.count - head)
    }

    /// The stack buffer and what it holds so far.
    private struct Output {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        let state: UnsafeMutablePointer<SHA256_CTX>
        /// Unretained: the verifier that owns it outlives the call (held, it cost a retain and
        /// release per message).
        let firstBlocks: Unmanaged<FirstBlocks>
        let slot: Int
        var count = 0
        /// Until the first update: its first 64 bytes go through `firstBlocks`.
        var atStart = true

        init(
            buffer: UnsafeMutableBufferPointer<UInt8>, state: UnsafeMutablePointer<SHA256_CTX>,
            firstBlocks: FirstBlocks, slot: Int
        ) {
            self.buffer = buffer
            self.state = state
            self.firstBlocks = Unmanaged.passUnretained(firstBlocks)
            self.slot = slot
        }

        mutating func appendVersion() {
            buffer[count] = ExternalTag.version
            count += 1
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
            guard count > 0, let start = buffer.baseAddress else { return }
            if atStart, count >= FirstBlocks.size {
                firstBlocks._withUnsafeGuaranteedRef { $0.absorb(start, into: state, slot: slot) }
                _ = SHA256_Update(state, start + FirstBlocks.size, count - FirstBlocks.size)
            } else {
                _ = SHA256_Update(state, start, count)
            }
            atStart = false
            count = 0
        }
    }
}
