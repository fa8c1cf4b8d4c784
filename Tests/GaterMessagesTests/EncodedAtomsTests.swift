import ErlangTerm
import Testing

@testable import GaterMessages

/// `EncodedAtoms`, the scanner's comparison of a key with the name it expects next: it matches
/// exactly that atom's bytes and nothing else, or declines and leaves the key to the lookup.
@Suite struct EncodedAtomsTests {
    let names = ["day", "microsecond", "minute", "fourteen_chars", "fifteen_chars_x"]

    /// The atom `name` in SMALL_ATOM_UTF8_EXT, then `padding` bytes of what follows it.
    func encoded(_ name: String, padding: Int = 16) -> [UInt8] {
        [ExternalTag.smallAtomUTF8, UInt8(name.utf8.count)] + Array(name.utf8)
            + [UInt8](repeating: 0x61, count: padding)
    }

    func length(_ atoms: EncodedAtoms, _ index: Int, _ bytes: [UInt8], at position: Int = 0) -> Int? {
        bytes.withUnsafeBufferPointer { atoms.length(ofName: index, in: $0, at: position) }
    }

    @Test func eachNameMatchesItsOwnAtomAndGivesItsLength() {
        let atoms = EncodedAtoms(names)
        #expect(length(atoms, 0, encoded("day")) == 5)
        #expect(length(atoms, 1, encoded("microsecond")) == 13)
        #expect(length(atoms, 2, encoded("minute")) == 8)
        #expect(length(atoms, 3, encoded("fourteen_chars")) == 16, "two words hold names of up to 14 bytes")
        #expect(length(atoms, 1, [0, 0, 0] + encoded("microsecond"), at: 3) == 13)
    }

    @Test func anyOtherAtomIsDeclined() {
        let atoms = EncodedAtoms(names)
        // Another name, a prefix of it, one that starts with it, one byte changed at each place.
        #expect(length(atoms, 0, encoded("minute")) == nil)
        #expect(length(atoms, 2, encoded("minut")) == nil)
        #expect(length(atoms, 0, encoded("days")) == nil)
        let micro = encoded("microsecond")
        for place in 0..<13 {
            var altered = micro
            altered[place] ^= 0x20
            #expect(length(atoms, 1, altered) == nil, "byte \(place) changed")
        }
        // The same text in another atom encoding (ATOM_UTF8_EXT's two length bytes).
        #expect(
            length(atoms, 0, [ExternalTag.atomUTF8, 0, 3] + Array("day".utf8) + [UInt8](repeating: 0, count: 16)) == nil
        )
    }

    @Test func itDeclinesWhereItCannotReadTwoWords() {
        let atoms = EncodedAtoms(names)
        let short = encoded("day", padding: 0)
        #expect(length(atoms, 0, short) == nil, "fewer than 16 bytes from the atom: left to the lookup")
        #expect(length(atoms, 4, encoded("fifteen_chars_x")) == nil, "too long for two words: left to the lookup")
        #expect(length(atoms, 5, encoded("day")) == nil, "no such name")
        #expect(length(atoms, -1, encoded("day")) == nil)
        #expect(length(atoms, 0, encoded("day"), at: 40) == nil)
    }
}
