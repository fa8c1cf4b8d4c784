import ErlangTerm
import Testing

/// `TermScanner.atom()`, which reads its text's ASCII check a word at a time: against a byte at a
/// time, for every length a SMALL_ATOM_UTF8_EXT may have up to a few words, with a high byte at
/// every place in it and around it, at the end of the buffer and inside it.
@Suite struct TermScannerAtomTests {
    /// The scanner's answer: the text's range, or nil when it threw.
    func scanned(_ bytes: [UInt8], at position: Int) -> Range<Int>? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = TermScanner(buffer, at: position)
            return try? scanner.atom()
        }
    }

    /// The atom's bytes (tag, length, text) with `before` and `after` bytes around it.
    func framed(_ text: [UInt8], before: [UInt8], after: [UInt8]) -> [UInt8] {
        before + [ExternalTag.smallAtomUTF8, UInt8(text.count)] + text + after
    }

    @Test func aHighByteAnywhereInTheTextRefusesItAndNowhereElse() {
        let surroundings: [(before: [UInt8], after: [UInt8])] = [
            ([], []), ([0xFF, 0xFF, 0xFF], []), ([], [UInt8](repeating: 0xFF, count: 9)),
            ([0xC3], [0x80, 0xFF, 0x90]),
        ]
        for length in 0...40 {
            let plain = (0..<length).map { UInt8(0x61 + $0 % 26) }
            for (before, after) in surroundings {
                let bytes = framed(plain, before: before, after: after)
                let text = (before.count + 2)..<(before.count + 2 + length)
                #expect(
                    scanned(bytes, at: before.count) == text,
                    "length \(length), \(before.count) before, \(after.count) after")
                for place in 0..<length {
                    var high = plain
                    high[place] = 0x80 | UInt8(place % 0x7F)
                    #expect(
                        scanned(framed(high, before: before, after: after), at: before.count) == nil,
                        "length \(length), high byte at \(place)")
                }
            }
        }
    }

    @Test func aLongAtomWhoseLengthByteIsHighIsStillASCII() {
        let text = [UInt8](repeating: 0x7A, count: 200)
        let bytes = framed(text, before: [], after: [])
        #expect(scanned(bytes, at: 0) == 2..<202)
        #expect(scanned(Array(bytes.dropLast()), at: 0) == nil, "a text cut short is refused")
    }
}
