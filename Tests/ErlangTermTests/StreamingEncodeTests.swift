import BEAMPeers
import ErlangTerm
import Testing

/// `encode(_:style:into:)` hands on exactly the bytes `encoded(_:style:)` returns, whatever the
/// term: the BEAM's corpus in both styles (funs included, which take the in-memory path), terms
/// larger than a chunk, subterms, and mutated input that still parses.
@Suite struct StreamingEncodeTests {
    /// The streamed bytes, and how many pieces they came in.
    static func streamed(
        _ view: TermView, _ term: TermRef? = nil, style: AtomStyle, version: Bool = true
    )
        -> (bytes: [UInt8], pieces: Int)
    {
        var bytes: [UInt8] = []
        var pieces = 0
        view.encode(term, style: style, includeVersion: version) { chunk in
            #expect(!chunk.isEmpty)
            bytes += chunk
            pieces += 1
        }
        return (bytes, pieces)
    }

    @Test func corpusStreamsTheSameBytesInBothStyles() async throws {
        try await onOwnThread {
            for entry in try await InteropTests.loadCorpus() {
                for bytes in [entry.legacy, entry.utf8] {
                    let view = try TermView(parsing: bytes)
                    for style in AtomStyle.allCases {
                        #expect(
                            Self.streamed(view, style: style).bytes == view.encoded(style: style),
                            "\(entry.name) in \(style)")
                    }
                }
                // What a signature check relies on: the wire's UTF-8 atoms give the OTP 25 bytes.
                #expect(Self.streamed(try TermView(parsing: entry.utf8), style: .legacy).bytes == entry.legacy)
                #expect(Self.streamed(try TermView(parsing: entry.legacy), style: .utf8).bytes == entry.utf8)
            }
        }
    }

    @Test func termsLargerThanAChunkStreamInSeveralPieces() throws {
        let atoms = (0..<400).map { Term.atom("key_\($0)_é") }
        let big = Term.tuple([
            .list(atoms), .binary([UInt8](repeating: 7, count: 3 * TermView.encodeChunkSize)),
            .map(atomKeys: ["a": .atom("ok"), "b": .binary("x")]), .list(atoms),
        ])
        for style in AtomStyle.allCases {
            let view = try TermView(parsing: big.encoded(style: style == .utf8 ? .legacy : .utf8))
            let (bytes, pieces) = Self.streamed(view, style: style)
            #expect(pieces > 3)
            #expect(bytes == view.encoded(style: style))
            #expect(bytes == big.encoded(style: style))
        }
    }

    @Test func everySubtermStreamsItsOwnBytes() async throws {
        try await onOwnThread {
            var generator = TermGenerator(seed: 77, maxDepth: 4)
            for _ in 0..<150 {
                let view = try TermView(parsing: generator.term().encoded())
                var pending = [view.root]
                while let term = pending.popLast() {
                    for style in AtomStyle.allCases {
                        #expect(
                            Self.streamed(view, term, style: style, version: false).bytes
                                == view.encoded(term, style: style, includeVersion: false))
                    }
                    if view.kind(of: term) != .pid { pending += view.children(of: term) }
                }
            }
        }
    }

    @Test func mutatedInputThatParsesStreamsTheSameBytes() async {
        await onOwnThread {
            var generator = TermGenerator(seed: 5150, maxDepth: 4)
            var random = SplitMix64(seed: 99)
            var checked = 0
            for _ in 0..<2000 {
                var bytes = generator.term().encoded()
                let index = Int.random(in: 1..<bytes.count, using: &random)
                bytes[index] ^= 1 << UInt8.random(in: 0...7, using: &random)
                guard let view = try? TermView(parsing: bytes) else { continue }
                checked += 1
                for style in AtomStyle.allCases {
                    #expect(Self.streamed(view, style: style).bytes == view.encoded(style: style))
                }
            }
            #expect(checked > 300)
        }
    }
}
