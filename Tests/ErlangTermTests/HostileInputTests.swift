import BEAMPeers
import CompressNIO
import ErlangTerm
import NIOCore
import Testing

/// Truncated, corrupted and adversarial input gives a typed error with an offset: never a
/// crash, a trap, a hang or a large allocation.
@Suite struct HostileInputTests {
    private func decodeError(_ bytes: [UInt8], limits: TermDecodingLimits = .default) -> TermDecodingError? {
        do {
            _ = try TermView(parsing: bytes, wholeInput: true, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test func everyTruncationIsATypedError() async throws {
        try await onOwnThread {
            var generator = TermGenerator(seed: 7, maxDepth: 4)
            for _ in 0..<150 {
                let bytes = generator.term().encoded()
                for length in 0..<bytes.count {
                    let error = try #require(decodeError(Array(bytes[..<length])), "prefix \(length) of \(bytes)")
                    #expect(error.offset <= length)
                }
            }
        }
    }

    @Test func bitFlipsNeverCrash() async {
        await onOwnThread {
            var generator = TermGenerator(seed: 99, maxDepth: 4)
            var random = SplitMix64(seed: 1234)
            var rejected = 0
            for _ in 0..<3000 {
                var bytes = generator.term().encoded()
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let index = Int.random(in: 1..<bytes.count, using: &random)
                    bytes[index] ^= 1 << UInt8.random(in: 0...7, using: &random)
                }
                if let error = decodeError(bytes) {
                    rejected += 1
                    #expect(error.offset >= 0 && error.offset <= bytes.count)
                    #expect(!error.description.isEmpty)
                } else if let view = try? TermView(parsing: bytes) {
                    // Accepted input must still behave: materialize and re-encode it.
                    _ = view.term()
                    _ = view.encoded(style: .legacy)
                }
            }
            #expect(rejected > 500)
        }
    }

    @Test(
        arguments: [
            ("binary", [131, 109, 255, 255, 255, 255, 1]),
            ("bit binary", [131, 77, 255, 255, 255, 255, 3, 1]),
            ("list", [131, 108, 255, 255, 255, 255, 106]),
            ("large tuple", [131, 105, 255, 255, 255, 255, 97, 1]),
            ("map", [131, 116, 255, 255, 255, 255, 97, 1]),
            ("string", [131, 107, 255, 255, 97]),
            ("atom", [131, 118, 255, 255, 97]),
            ("large big", [131, 111, 0, 0, 0, 200, 0, 1]),
            ("reference", [131, 90, 0, 3, 119, 1, 110, 0, 0]),
        ] as [(String, [UInt8])])
    func hugeDeclaredLengthsFailAtOnce(name: String, bytes: [UInt8]) throws {
        let error = try #require(decodeError(bytes), "\(name)")
        guard case .truncated = error.kind else {
            Issue.record("\(name): expected truncated, got \(error)")
            return
        }
    }

    @Test func gigabyteBignumIsRefusedBeforeAllocation() throws {
        let bytes: [UInt8] = [131, 111, 0x40, 0, 0, 0, 0, 1, 2, 3]
        let error = try #require(decodeError(bytes))
        #expect(error.kind == .bigIntegerTooLarge(bytes: 1 << 30, limit: TermDecodingLimits.default.maxBigIntegerBytes))
        #expect(error.offset == 1)
    }

    @Test(arguments: [[UInt8(104), 1], [108, 0, 0, 0, 1], [116, 0, 0, 0, 1, 97, 0]])
    func millionDeepNestingIsRefused(opener: [UInt8]) async throws {
        try await onOwnThread {
            var bytes: [UInt8] = [131]
            bytes.reserveCapacity(1 + opener.count * 1_000_000)
            for _ in 0..<1_000_000 { bytes += opener }
            bytes.append(106)
            let error = try #require(decodeError(bytes))
            #expect(error.kind == .nestingTooDeep(limit: 512))
        }
    }

    @Test func manyTinySubtermsAreBounded() async throws {
        try await onOwnThread {
            // 4 MiB of `[]` in one list: 4 Mi subterms, refused at the limit instead of an 80 MiB index.
            let count = 4 << 20
            var bytes: [UInt8] = [131, 108, UInt8(count >> 24), UInt8((count >> 16) & 0xFF), 0, 0]
            bytes += [UInt8](repeating: 106, count: count + 1)
            let error = try #require(decodeError(bytes))
            #expect(error.kind == .tooManySubterms(limit: 1 << 22))
        }
    }

    @Test func nestingWithinTheLimitDecodes() throws {
        var bytes: [UInt8] = [131]
        for _ in 0..<500 { bytes += [104, 1] }
        bytes.append(106)
        let view = try TermView(parsing: bytes, wholeInput: true)
        #expect(view.encoded(style: .utf8) == bytes)
    }

    @Test func zipBombIsRefused() throws {
        var zeros = ByteBuffer(repeating: 0, count: 8 << 20)
        var compressed = ByteBufferAllocator().buffer(capacity: 64 << 10)
        try zeros.compress(to: &compressed, with: .zlib())
        let payload = Array(compressed.readableBytesView)
        // Honest header, over the limit.
        let overLimit = [131, 80, 0x00, 0x80, 0x00, 0x00] + payload
        let limits = TermDecodingLimits(maxDecompressedBytes: 1 << 20)
        #expect(
            decodeError(overLimit, limits: limits)?.kind == .decompressedTooLarge(declared: 8 << 20, limit: 1 << 20))
        // Lying header: claims 1 KiB, inflates to 8 MiB.
        let lying = [131, 80, 0, 0, 4, 0] + payload
        #expect(decodeError(lying)?.kind == .decompressedLargerThanDeclared(declared: 1024))
        // Garbage instead of zlib.
        #expect(decodeError([131, 80, 0, 0, 0, 4, 1, 2, 3, 4])?.kind == .corruptCompressedData)
    }

    @Test func atomsAreChecked() {
        let long = [131, 100, 1, 0] + [UInt8](repeating: 97, count: 256)
        #expect(decodeError(long)?.kind == .atomTooLong(characters: 256))
        let cjk = Array(String(repeating: "日", count: 256).utf8)
        let longUTF8 = [131, 118, UInt8(cjk.count >> 8), UInt8(cjk.count & 0xFF)] + cjk
        #expect(decodeError(longUTF8)?.kind == .atomTooLong(characters: 256))
        #expect(decodeError([131, 119, 2, 0xC3, 0x28])?.kind == .invalidAtomText)
        #expect(decodeError([131, 119, 3, 0xED, 0xA0, 0x80])?.kind == .invalidAtomText)
        #expect(decodeError([131, 119, 2, 0xC0, 0x80])?.kind == .invalidAtomText)
        #expect(decodeError([131, 82, 3])?.kind == .atomCacheReferenceWithoutCache(index: 3))
        #expect(
            decodeError([131, 88, 97, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])?.kind
                == .unexpectedTag(expected: "an atom", found: 97))
    }

    @Test func atomCacheReferencesResolveWhenACacheIsGiven() throws {
        var cache = [Atom?](repeating: nil, count: 4)
        cache[2] = "cached_atom"
        let view = try TermView(parsing: [131, 104, 2, 82, 2, 97, 1], atomCache: cache)
        #expect(view.term() == .tuple([.atom("cached_atom"), 1]))
        #expect(view.encoded(style: .utf8) == Term.tuple([.atom("cached_atom"), 1]).encoded())
    }

    @Test func otherMalformedInput() {
        #expect(decodeError([])?.kind == .truncated(needed: 1, available: 0))
        #expect(decodeError([130, 97, 1])?.kind == .missingVersion(found: 130))
        #expect(decodeError([131, 200])?.kind == .unknownTag(200))
        #expect(decodeError([131, 104, 1, 80, 0])?.kind == .misplacedTag(80))
        #expect(decodeError([131, 97, 1, 97])?.kind == .trailingBytes(count: 1))
        #expect(decodeError([131, 110, 1, 2, 5])?.kind == .invalidSign(2))
        #expect(decodeError([131, 77, 0, 0, 0, 1, 9, 0])?.kind == .invalidBitCount(9))
        #expect(decodeError([131, 77, 0, 0, 0, 1, 0, 0])?.kind == .invalidBitCount(0))
        let infinity = [131, 70] + withUnsafeBytes(of: Double.infinity.bitPattern.bigEndian) { Array($0) }
        #expect(decodeError(infinity)?.kind == .nonFiniteFloat)
        let badText = [131, 99] + [UInt8](repeating: 65, count: 31)
        #expect(decodeError(badText)?.kind == .invalidFloatText)
        #expect(
            decodeError([131, 90, 0, 6, 119, 1, 110] + [UInt8](repeating: 0, count: 28))?.kind
                == .invalidReferenceLength(6))
    }

    @Test func funWithAWrongSizeIsRefused() throws {
        var generator = TermGenerator(seed: 5)
        let pid = Term.pid(Pid(node: "n@h", id: 1, serial: 0, creation: 1))
        let fun = LocalFun(
            arity: 1, uniq: Array(repeating: 7, count: 16), index: 0, module: generator.atom(),
            oldIndex: 0, oldUniq: 12345, pid: pid, freeVariables: [.atom("x")])
        var bytes = Term.fun(fun).encoded()
        #expect(try TermView(parsing: bytes).term() == .fun(fun))
        bytes[5] &+= 1
        #expect(decodeError(bytes)?.kind == .invalidFunSize(declared: Int(bytes[5]), actual: Int(bytes[5]) - 1))
    }

    @Test func inputOverTheSizeLimitIsRefused() {
        let limits = TermDecodingLimits(maxInputBytes: 8)
        #expect(
            decodeError([131, 109, 0, 0, 0, 5, 1, 2, 3, 4, 5], limits: limits)?.kind
                == .inputTooLarge(size: 11, limit: 8))
    }

    @Test func errorsSayWhereAndWhy() throws {
        let error = try #require(decodeError([131, 104, 2, 97, 1]))
        #expect(error.description == "invalid external term at byte 5: truncated: 1 bytes needed, 0 left")
    }
}
