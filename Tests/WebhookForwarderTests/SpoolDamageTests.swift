import BEAMPeers
import Foundation
import Logging
import MetricsTestKit
import Testing

@testable import WebhookForwarder

/// Damage in the middle of a spool file (issue 14, item 1): it costs the damaged records only,
/// is counted, logged once with where it was, and kept aside; a torn tail is told apart; files
/// of format 1 (before the records had a magic) still replay.
@Suite struct SpoolDamageTests {
    func draft(_ index: Int) -> DeliveryDraft {
        DeliveryDraft(
            endpoint: "hook", idempotencyKey: "key-\(index)", alertID: "alert-\(index % 7)",
            createdAt: 1_700_000_000 + Double(index), body: Array("{\"n\":\(index),\"text\":\"escalated\"}".utf8))
    }

    /// A closed spool of `count` deliveries appended in batches of 100, its bytes and where each
    /// record starts.
    func writtenSpool(
        _ setup: ForwarderSetup, count: Int
    ) async throws -> (
        deliveries: [SpooledDelivery], bytes: [UInt8], starts: [Int]
    ) {
        let spool = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        var deliveries: [SpooledDelivery] = []
        for first in stride(from: 0, to: count, by: 100) {
            deliveries += try await spool.append((first..<min(first + 100, count)).map(draft))
        }
        await spool.close()
        let bytes = try fileBytes(spool.path)
        var starts: [Int] = []
        var offset = SpoolRecord.header.count
        while let (_, _, next) = SpoolRecord.decode(bytes, at: offset) {
            starts.append(offset)
            offset = next
        }
        #expect(starts.count == count && offset == bytes.count)
        return (deliveries, bytes, starts)
    }

    func fileBytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    func write(_ bytes: [UInt8], to setup: ForwarderSetup) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: "\(setup.spool)/deliveries.spool"))
    }

    func sideFiles(_ setup: ForwarderSetup) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: setup.spool).filter { $0.contains(".corrupt-") }
            .map { "\(setup.spool)/\($0)" }
    }

    func corruptRecords(_ setup: ForwarderSetup) -> Int64 {
        (try? setup.metrics.expectCounter(SpoolMetrics.corruptRecordsName).totalValue) ?? 0
    }

    /// One bit flipped anywhere in a record in the middle (its magic, length, checksum or payload)
    /// loses that record only. Before, everything from the damaged record on was cut off as a torn
    /// tail: 500 of 1000 recovered.
    @Test func aFlippedBitInTheMiddleCostsOnlyItsRecord() async throws {
        let written = try await writtenSpool(try ForwarderSetup(), count: 1000)
        let start = written.starts[500]
        let end = written.starts[501]
        let positions = Array(start..<start + SpoolRecord.frameHeaderSize) + [start + 12, start + 30, end - 1]
        for position in positions {
            let setup = try ForwarderSetup()
            try FileManager.default.createDirectory(atPath: setup.spool, withIntermediateDirectories: true)
            var damaged = written.bytes
            damaged[position] ^= 0x10
            try write(damaged, to: setup)
            let spool = try DeliverySpool(
                directory: setup.spool, logger: setup.log.logger(), metrics: SpoolMetrics(factory: setup.metrics))
            #expect(
                spool.recovered == written.deliveries.filter { $0.id != 501 },
                "bit flipped at \(position) (record at \(start)): \(spool.recovered.count) recovered")
            let said = setup.log.lines(level: .error, containing: "damaged records between intact ones")
            #expect(said.count == 1, "\(setup.log.text)")
            #expect(said.first?.contains("damaged_ranges=\(start)-\(end)") == true, "\(said)")
            #expect(said.first?.contains("records_skipped=1") == true, "\(said)")
            #expect(!setup.log.text.contains("torn tail"), "damage, not a torn tail")
            #expect(corruptRecords(setup) == 1)
            let aside = try #require(try sideFiles(setup).first, "the damaged bytes are kept aside")
            #expect(try fileBytes(aside) == Array(damaged[start..<end]))
            let mode = try FileManager.default.attributesOfItem(atPath: aside)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            await spool.close()
        }
        print(
            "1000 deliveries, one bit flipped in the 501st record: 999 recovered at each of \(positions.count) places")
    }

    /// The file is rewritten without the damage: the next start finds nothing wrong, and what
    /// was appended after the first one is there.
    @Test func theDamageIsReportedOnceNotAtEveryStart() async throws {
        let setup = try ForwarderSetup()
        let written = try await writtenSpool(setup, count: 200)
        var damaged = written.bytes
        damaged[written.starts[100] + 20] ^= 0x01
        try write(damaged, to: setup)
        let first = try DeliverySpool(
            directory: setup.spool, logger: setup.log.logger(), metrics: SpoolMetrics(factory: setup.metrics))
        #expect(first.recovered.count == 199)
        let next = try await first.append([draft(1000)])
        await first.close()
        let again = LogRecorder()
        let second = try DeliverySpool(directory: setup.spool, logger: again.logger())
        #expect(second.recovered == first.recovered + next)
        #expect(again.all.filter { $0.level >= .warning }.isEmpty, "\(again.text)")
        #expect(try sideFiles(setup).count == 1)
        await second.close()
    }

    /// Damage in several places, two records in a row among them, and a torn tail: each is said
    /// for what it is, and every intact record is kept.
    @Test func severalDamagedPlacesAndATornTailAreToldApart() async throws {
        let setup = try ForwarderSetup()
        let written = try await writtenSpool(setup, count: 100)
        var damaged = written.bytes
        for record in [10, 11, 50] { damaged[written.starts[record] + 25] ^= 0x80 }
        var half: [UInt8] = []
        SpoolRecord.completion(3).encode(into: &half)
        damaged += half.prefix(half.count / 2)
        try write(damaged, to: setup)
        let spool = try DeliverySpool(
            directory: setup.spool, logger: setup.log.logger(), metrics: SpoolMetrics(factory: setup.metrics))
        #expect(spool.recovered == written.deliveries.filter { ![11, 12, 51].contains($0.id) })
        let said = setup.log.lines(level: .error, containing: "damaged records between intact ones")
        let ranges = "\(written.starts[10])-\(written.starts[12]), \(written.starts[50])-\(written.starts[51])"
        #expect(said.count == 1 && said[0].contains("damaged_ranges=\(ranges)"), "\(said)")
        #expect(said.first?.contains("records_skipped=3") == true)
        #expect(corruptRecords(setup) == 3)
        let torn = setup.log.lines(level: .warning, containing: "a record cut short (a torn tail")
        #expect(torn.count == 1 && torn[0].contains("discarded_bytes=\(half.count / 2)"), "\(setup.log.text)")
        await spool.close()
    }

    /// A spool of the format before issue 14 (no magic; written here as that encoder wrote it,
    /// with its table CRC-32) replays, torn tail and all, and is rewritten in format 2.
    @Test func aFormat1SpoolStillReplaysAndIsRewrittenInFormat2() async throws {
        let setup = try ForwarderSetup()
        try FileManager.default.createDirectory(atPath: setup.spool, withIntermediateDirectories: true)
        let deliveries = (1...5).map { index in
            SpooledDelivery(
                id: UInt64(index), endpoint: "hook", idempotencyKey: "key-\(index)", alertID: "alert-\(index)",
                createdAt: 1_700_000_000.5 + Double(index), body: Array("{\"n\":\(index)}".utf8))
        }
        let memo = SpoolMemo(id: 6, alertID: "alert-6", createdAt: 1_700_000_006, payload: Array("{}".utf8))
        var file = FormatOne.file(deliveries.map(SpoolRecord.delivery) + [.memo(memo), .completion(2), .completion(4)])
        let torn = FormatOne.file([.completion(5)]).dropFirst(8)
        file += torn.prefix(torn.count - 3)
        try write(file, to: setup)

        let spool = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        #expect(spool.recovered == [deliveries[0], deliveries[2], deliveries[4]])
        #expect(spool.recoveredMemos == [memo])
        #expect(setup.log.text.contains("a record cut short"))
        #expect(setup.log.text.contains("rewritten in the current format"))
        #expect(try fileBytes(spool.path).prefix(8).elementsEqual("EXWHSPL2".utf8))
        let next = try await spool.append([draft(7)])
        #expect(next.first?.id == 7, "ids go on from the format 1 file's")
        await spool.close()
        let reopened = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        #expect(reopened.recovered == [deliveries[0], deliveries[2], deliveries[4]] + next)
        #expect(reopened.recoveredMemos == [memo])
        await reopened.close()
    }

    /// Format 1 has no magic, yet a damaged record in its middle costs only that record: the
    /// reader tries each offset for a record whose checksum holds.
    @Test func aDamagedRecordInTheMiddleOfAFormat1SpoolCostsOnlyItsRecord() async throws {
        let setup = try ForwarderSetup()
        try FileManager.default.createDirectory(atPath: setup.spool, withIntermediateDirectories: true)
        let deliveries = (1...300).map { index in
            SpooledDelivery(
                id: UInt64(index), endpoint: "hook", idempotencyKey: "key-\(index)", alertID: "alert-\(index % 7)",
                createdAt: 1_700_000_000, body: Array("{\"n\":\(index)}".utf8))
        }
        var file = FormatOne.file(deliveries.map(SpoolRecord.delivery))
        file[file.count / 2] ^= 0x04
        try write(file, to: setup)
        let spool = try DeliverySpool(
            directory: setup.spool, logger: setup.log.logger(), metrics: SpoolMetrics(factory: setup.metrics))
        #expect(spool.recovered.count == 299)
        #expect(corruptRecords(setup) == 1)
        #expect(try sideFiles(setup).count == 1)
        await spool.close()
    }

    /// zlib's crc32 is the CRC-32 the format 1 files carry (their encoder had a table of its own).
    @Test func zlibsCRC32IsTheChecksumOfFormat1Files() {
        #expect(SpoolChecksum.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(SpoolChecksum.crc32([]) == 0)
        var generator = SystemRandomNumberGenerator()
        for length in [1, 7, 64, 1000, 70_000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(SpoolChecksum.crc32(bytes) == FormatOne.crc32(bytes))
            #expect(
                SpoolChecksum.crc32(bytes[(length / 2)...], continuing: SpoolChecksum.crc32(bytes[..<(length / 2)]))
                    == FormatOne.crc32(bytes), "a checksum continued over two parts is the whole one's")
        }
    }
}

/// Spool files as the encoder before issue 14 wrote them: the header `EXWHSPL1`, then for each
/// record a little-endian u32 payload length, a u32 CRC-32 of the payload and the payload.
enum FormatOne {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    static func file(_ records: [SpoolRecord]) -> [UInt8] {
        var bytes = Array("EXWHSPL1".utf8)
        for record in records {
            let payload = record.payload
            bytes += SpoolRecord.littleEndian(UInt32(payload.count))
            bytes += SpoolRecord.littleEndian(crc32(payload))
            bytes += payload
        }
        return bytes
    }
}
