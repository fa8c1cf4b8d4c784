import BEAMPeers
import ErlangTerm
import Foundation
import Testing

/// The codec against a real BEAM: every corpus term the BEAM writes decodes and re-encodes
/// byte-identically in both atom styles, and the BEAM reads back what Swift writes.
@Suite struct InteropTests {
    struct CorpusEntry {
        let name: String
        let legacy: [UInt8]
        let utf8: [UInt8]
        let compressed: [UInt8]
    }

    static func loadCorpus() async throws -> [CorpusEntry] {
        let file = ErlangRuntime.temporaryFile("corpus.bin")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try await ErlangRuntime.eval("term_corpus:write(\"\(file.path)\")")
        var reader = RecordReader(Array(try Data(contentsOf: file)))
        var entries: [CorpusEntry] = []
        while !reader.atEnd {
            let name = String(decoding: reader.take(reader.u16()), as: UTF8.self)
            let variants = (0..<reader.u8()).map { _ in reader.take(reader.u32()) }
            entries.append(CorpusEntry(name: name, legacy: variants[0], utf8: variants[1], compressed: variants[2]))
        }
        return entries
    }

    @Test func corpusReencodesByteForByteInBothStyles() async throws {
        try await onOwnThread {
            let corpus = try await Self.loadCorpus()
            #expect(corpus.count > 70)
            for entry in corpus {
                for (style, bytes) in [(AtomStyle.legacy, entry.legacy), (.utf8, entry.utf8)] {
                    let view = try TermView(parsing: bytes, wholeInput: true)
                    #expect(view.encoded(style: style) == bytes, "view re-encode of \(entry.name) in \(style)")
                    #expect(view.term().encoded(style: style) == bytes, "Term re-encode of \(entry.name) in \(style)")
                }
                // What signature checks rely on: either style's bytes give the other's exactly.
                let fromWire = try TermView(parsing: entry.utf8)
                #expect(fromWire.encoded(style: .legacy) == entry.legacy, "utf8 -> legacy for \(entry.name)")
                let fromLegacy = try TermView(parsing: entry.legacy)
                #expect(fromLegacy.encoded(style: .utf8) == entry.utf8, "legacy -> utf8 for \(entry.name)")
            }
        }
    }

    @Test func compressedCorpusDecodesToTheSameTerms() async throws {
        try await onOwnThread {
            for entry in try await Self.loadCorpus() {
                let compressed = try TermView(parsing: entry.compressed, wholeInput: true)
                let plain = try TermView(parsing: entry.utf8)
                #expect(compressed.term() == plain.term(), "\(entry.name)")
                #expect(compressed.encoded(style: .utf8) == entry.utf8, "\(entry.name)")
            }
        }
    }

    @Test func beamReadsWhatSwiftWrites() async throws {
        let corpus = try await Self.loadCorpus()
        let corpusFile = ErlangRuntime.temporaryFile("corpus.bin")
        let swiftFile = ErlangRuntime.temporaryFile("swift.bin")
        defer {
            try? FileManager.default.removeItem(at: corpusFile)
            try? FileManager.default.removeItem(at: swiftFile)
        }
        var corpusBytes: [UInt8] = []
        var swiftBytes: [UInt8] = []
        for entry in corpus {
            let name = Array(entry.name.utf8)
            corpusBytes.appendBigEndian(name.count, bytes: 2)
            corpusBytes += name
            corpusBytes.append(3)
            for variant in [entry.legacy, entry.utf8, entry.compressed] {
                corpusBytes.appendBigEndian(variant.count, bytes: 4)
                corpusBytes += variant
            }
            let term = try TermView(parsing: entry.utf8).term()
            for (code, style) in [(0, AtomStyle.legacy), (1, .utf8)] {
                let encoded = term.encoded(style: style)
                swiftBytes.appendBigEndian(name.count, bytes: 2)
                swiftBytes += name
                swiftBytes.append(UInt8(code))
                swiftBytes.appendBigEndian(encoded.count, bytes: 4)
                swiftBytes += encoded
            }
        }
        try Data(corpusBytes).write(to: corpusFile)
        try Data(swiftBytes).write(to: swiftFile)
        let output = try await ErlangRuntime.eval("term_corpus:verify(\"\(corpusFile.path)\", \"\(swiftFile.path)\")")
        #expect(output.contains("checked \(corpus.count * 2) mismatches 0"), "\(output)")
    }

    @Test func randomTermsMatchTheBEAM() async throws {
        try await onOwnThread {
            var generator = TermGenerator(seed: 0x5EED_E7F)
            let terms = (0..<400).map { _ in generator.term() }
            let input = ErlangRuntime.temporaryFile("random.bin")
            let output = ErlangRuntime.temporaryFile("random-back.bin")
            defer {
                try? FileManager.default.removeItem(at: input)
                try? FileManager.default.removeItem(at: output)
            }
            var bytes: [UInt8] = []
            for term in terms {
                let encoded = term.encoded(style: .utf8)
                bytes.appendBigEndian(encoded.count, bytes: 4)
                bytes += encoded
            }
            try Data(bytes).write(to: input)
            let printed = try await ErlangRuntime.eval("term_corpus:roundtrip(\"\(input.path)\", \"\(output.path)\")")
            #expect(printed.contains("roundtrip \(terms.count)"), "\(printed)")
            var reader = RecordReader(Array(try Data(contentsOf: output)))
            for (index, term) in terms.enumerated() {
                let legacyLength = reader.u32()
                try #require(legacyLength != 0xFFFF_FFFF, "the BEAM rejected term \(index): \(term)")
                let legacy = reader.take(legacyLength)
                let utf8 = reader.take(reader.u32())
                let back = try TermView(parsing: utf8, wholeInput: true)
                #expect(back.term().isErlangEqual(to: term), "term \(index) came back as \(back.term())")
                #expect(back.encoded(style: .legacy) == legacy, "term \(index)")
                if !term.containsMultiKeyMap {
                    // Map order is the BEAM's own choice; everything else must match byte for byte.
                    #expect(term.encoded(style: .utf8) == utf8, "term \(index): \(term)")
                    #expect(term.encoded(style: .legacy) == legacy, "term \(index): \(term)")
                }
            }
        }
    }
}
