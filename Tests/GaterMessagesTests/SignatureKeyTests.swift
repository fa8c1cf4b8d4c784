import COpenSSLCrypto
import ErlangTerm
import Foundation
import Logging
import Testing

@testable import GaterMessages

/// The HMAC over libcrypto's SHA-256 against RFC 4231's vectors, whole or streamed in pieces;
/// the streamed re-encode hashed as it is written against the BEAM's own signatures; and the
/// lookup tables the intake keeps.
@Suite struct SignatureKeyTests {
    static func hex(_ text: String) -> [UInt8] {
        stride(from: 0, to: text.count, by: 2).map { offset in
            let start = text.index(text.startIndex, offsetBy: offset)
            return UInt8(text[start..<text.index(start, offsetBy: 2)], radix: 16) ?? 0
        }
    }

    /// RFC 4231 test cases 2 (short key), 4 (binary key and data) and 6 (key longer than a block).
    static let vectors: [(key: [UInt8], data: [UInt8], mac: String)] = [
        (
            Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        (
            hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), [UInt8](repeating: 0xCD, count: 50),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        ),
        (
            [UInt8](repeating: 0xAA, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
    ]

    /// The state remembered after a first block gives the MAC a full hash gives: on the first
    /// message (remembered), the next (taken from the memo), one whose first block differs (hashed,
    /// the slot keeps its block) and in another slot (independent).
    @Test func aRememberedFirstBlockGivesTheMACOfTheWholeMessage() {
        let key = SignatureKey(Array("s3cret-key-base".utf8))
        let blocks = FirstBlocks()
        let tail = Array("and the rest of the message, of any length".utf8)
        func mac(_ head: [UInt8], slot: Int) -> [UInt8] {
            let digest = key.mac(feeding: { state in
                head.withUnsafeBytes { bytes in
                    guard let start = bytes.baseAddress else { return }
                    blocks.absorb(start, into: state, slot: slot)
                }
                tail.withUnsafeBytes { _ = SHA256_Update(state, $0.baseAddress, $0.count) }
            })
            return digest.withUnsafeBytes { Array($0) }
        }
        func plain(_ head: [UInt8]) -> [UInt8] {
            key.mac(of: { update in (head + tail).withUnsafeBytes(update) }).withUnsafeBytes { Array($0) }
        }
        let block = (0..<64).map { UInt8($0 * 3 & 0xFF) }
        var other = block
        other[63] ^= 1
        #expect(mac(block, slot: 5) == plain(block), "first: hashed and remembered")
        #expect(mac(block, slot: 5) == plain(block), "again: from the memo")
        #expect(mac(other, slot: 5) == plain(other), "another first block: hashed in full")
        #expect(mac(block, slot: 5) == plain(block), "the slot kept its block")
        #expect(mac(other, slot: 6) == plain(other), "another slot")
        #expect(plain(block) != plain(other))
    }

    @Test func macsMatchRFC4231WholeAndInPieces() {
        for vector in Self.vectors {
            let key = SignatureKey(vector.key)
            let expected = Self.hex(vector.mac)
            #expect(key.isValid(expected[...], for: vector.data))
            for pieceSize in [1, 3, 64, 1000] {
                let streamed = key.isValid(expected[...]) { update in
                    for start in stride(from: 0, to: vector.data.count, by: pieceSize) {
                        vector.data[start..<min(start + pieceSize, vector.data.count)].withUnsafeBytes(update)
                    }
                }
                #expect(streamed, "pieces of \(pieceSize)")
            }
            var wrong = expected
            wrong[31] ^= 1
            #expect(!key.isValid(wrong[...], for: vector.data))
            #expect(!key.isValid(expected.dropLast(), for: vector.data))
        }
    }

    /// Every signed broadcast of the fixture, hashed from the streamed legacy re-encode, gives
    /// the MAC the BEAM computed over its own `term_to_binary`.
    @Test func streamedReencodeHashesToTheBEAMsSignatures() async throws {
        let key = SignatureKey(Array(GaterMessagesTests.secret.utf8))
        var checked = 0
        for (name, bytes) in try await GaterMessagesTests.broadcasts.value where name != "tampered" {
            let view = try TermView(parsing: bytes)
            guard let envelope = view.element(2, of: view.root), view.count(of: envelope) == 3,
                let signature = view.element(1, of: envelope).flatMap({ view.binaryBytes(of: $0) }),
                let inner = view.element(2, of: envelope)
            else { continue }
            let style: AtomStyle = name.hasSuffix("otp26") ? .utf8 : .legacy
            let whole = view.encoded(inner, style: style)
            #expect(key.isValid(signature, of: { view.encode(inner, style: style, into: $0) }), "\(name)")
            #expect(key.isValid(signature, for: whole), "\(name)")
            let other: AtomStyle = style == .utf8 ? .legacy : .utf8
            #expect(!key.isValid(signature, of: { view.encode(inner, style: other, into: $0) }), "\(name)")
            checked += 1
        }
        #expect(checked > 15)
    }

    @Test func payloadKeysAreTheGatersAtoms() {
        let names = PayloadField.allCases.map(\.atomName)
        #expect(Set(names).count == names.count)
        #expect(PayloadField.structModule.atomName == "__struct__")
        #expect(PayloadField.latencyMs.atomName == "latency_ms")
        #expect(PayloadField.alertId.atomName == "alert_id")
        #expect(PayloadField.requiresAck.atomName == "requires_ack")
        #expect(PayloadField.ratePerSec.atomName == "rate_per_sec")
        #expect(PayloadField.allCases.allSatisfy { PayloadField.allCases[$0.rawValue] == $0 })
    }

    @Test func counterPositionsFollowTheCases() {
        #expect(GaterMessageKind.allCases.enumerated().allSatisfy { $0.offset == $0.element.position })
        #expect(MessageRejection.allCases.enumerated().allSatisfy { $0.offset == $0.element.position })
    }

    /// One peer's style is remembered once for all its buses; another peer starts afresh.
    @Test func aPeersStyleIsSharedByItsBuses() async throws {
        let intake = MessageIntake(secret: SecretKeyBase(GaterMessagesTests.secret), logger: Logger(label: "test"))
        let bytes = try #require(try await GaterMessagesTests.broadcasts.value["latency_otp26"])
        let view = try TermView(parsing: bytes)
        let envelope = try #require(view.element(2, of: view.root))
        for bus in ["ex_esdb_metrics", "ex_esdb_health", "ex_esdb_metrics"] {
            #expect(intake.receive(peer: "new@host", bus: bus, topic: "t", view: view, message: envelope) != nil)
        }
        #expect(
            intake.channel(peer: "new@host", bus: "ex_esdb_metrics")
                === intake.channel(peer: "new@host", bus: "ex_esdb_metrics"))
        #expect(
            intake.channel(peer: "new@host", bus: "ex_esdb_health")
                !== intake.channel(peer: "new@host", bus: "ex_esdb_metrics"))
        let verifier = EnvelopeVerifier(secret: SecretKeyBase(GaterMessagesTests.secret))
        let shared = verifier.rememberedStyle(for: "new@host")
        #expect(verifier.rememberedStyle(for: "new@host") === shared)
        #expect(verifier.rememberedStyle(for: "old@host") !== shared)
        #expect(verifier.open(view, envelope, peer: "new@host").isSuccess)
        #expect(shared.style == .utf8 && verifier.rememberedStyle(of: "new@host") == .utf8)
        #expect(verifier.rememberedStyle(of: "old@host") == nil)
    }
}
