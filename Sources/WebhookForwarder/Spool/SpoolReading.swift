/// What reading a spool file's bytes recovers (`SpoolReplay`), in plain values, for the fuzz
/// target `spool` (Fuzz/, docs/proofs.md), which checks it against the bytes: every live entry
/// is a whole record whose checksum matches, the damage and the torn tail are where they say,
/// and the entries written again read back the same.
@_spi(Fuzzing) public struct SpoolReading {
    /// A live entry: its id, where its record starts and the record's payload encoded again.
    public struct Entry: Equatable {
        public let id: UInt64
        public let offset: Int
        public let payload: [UInt8]
    }

    /// Whether the file is in format 1 (`EXWHSPL1`: no magic, the CRC of the payload alone).
    public let isFormat1: Bool
    /// The entries without a completion, by id.
    public let live: [Entry]
    public let maximumID: UInt64
    /// Byte ranges skipped as damaged, and how many records each held.
    public let damage: [(range: Range<Int>, records: Int)]
    /// Where an incomplete record at the very end starts.
    public let tornTail: Int?
    /// The live entries written again, as the repair of a damaged file and compaction write them.
    public let rewritten: [UInt8]

    /// Reads a spool file's bytes as opening the spool does; throws for a file that is no spool.
    public init(_ bytes: [UInt8]) throws {
        let contents = try SpoolReplay.contents(of: bytes, path: "fuzzed.spool")
        isFormat1 = contents.format == .version1
        live = contents.live.values.sorted { $0.id < $1.id }.map { entry in
            // An id in `live` always has an offset: both are set and removed together.
            Entry(id: entry.id, offset: contents.offsets[entry.id] ?? -1, payload: entry.record.payload)
        }
        maximumID = contents.maximumID
        damage = contents.damage.map { ($0.range, $0.records) }
        tornTail = contents.tornTail
        rewritten = SpoolImage(contents.live.values).bytes
    }

    /// The 8-byte header of each format.
    public static let headers = SpoolFormat.allCases.map(\.header)

    /// A spool file as the forwarder writes it, for seed corpora: `deliveries` deliveries (every
    /// third one completed, the fourth marked done in place), a memo and its completion, in
    /// format 2, or in format 1 as earlier versions wrote it.
    public static func sample(deliveries: Int, bodyBytes: Int, format1: Bool) -> [UInt8] {
        var records: [SpoolRecord] = []
        for index in 0..<deliveries {
            let id = UInt64(index + 1)
            records.append(
                .delivery(
                    SpooledDelivery(
                        id: id, endpoint: "endpoint-\(index % 3)", idempotencyKey: "key-\(id)",
                        alertID: "alert-\(index / 2)", createdAt: 1_700_000_000 + Double(index),
                        body: Array(String(repeating: "{\"alert\":\(index)}", count: bodyBytes / 12 + 1).utf8))))
            if index % 3 == 2 { records.append(.completion(id)) }
        }
        let memoID = UInt64(deliveries + 1)
        records.append(.memo(SpoolMemo(id: memoID, alertID: "alert-0", createdAt: 1_700_000_000, payload: [1, 2, 3])))
        records.append(.completion(memoID))
        guard !format1 else { return formatOne(records) }
        var bytes = SpoolRecord.header
        var starts: [Int] = []
        for record in records {
            starts.append(bytes.count)
            record.encode(into: &bytes)
        }
        if starts.count > 3 { bytes.replaceSubrange(starts[3]..<starts[3] + 4, with: SpoolRecord.doneMagic) }
        return bytes
    }

    private static func formatOne(_ records: [SpoolRecord]) -> [UInt8] {
        var bytes = SpoolFormat.version1.header
        for record in records {
            let payload = record.payload
            bytes += SpoolRecord.littleEndian(UInt32(payload.count))
            bytes += SpoolRecord.littleEndian(SpoolChecksum.crc32(payload))
            bytes += payload
        }
        return bytes
    }
}
