@_spi(Fuzzing) import WebhookForwarder

/// The spool reader (`SpoolReplay`, `SpoolRecord.decode`), on a spool file's bytes. When the
/// input's length is odd, the harness first gives every frame it finds a correct CRC (so that
/// libFuzzer's mutants reach the record parser); otherwise it reads the bytes as they are.
///
/// Beyond not crashing: every live entry recovered starts a whole frame whose CRC-32 (computed
/// here, not by zlib) matches and whose payload is the entry's; no entry lies in a damaged range;
/// the damage and the torn tail are in order within the file; the live entries written again
/// (as repair and compaction write them) read back the same, with no damage.
final class SpoolTarget: FuzzTarget {
    func run(_ input: [UInt8]) {
        var bytes = input
        if input.count % 2 == 1 { Self.fixChecksums(&bytes) }
        guard let reading = try? SpoolReading(bytes) else {
            require(!SpoolReading.headers.contains { bytes.starts(with: $0) }, "a file with a spool header was refused")
            return
        }
        for entry in reading.live {
            let frame = Self.frame(bytes, at: entry.offset, format1: reading.isFormat1)
            require(
                frame != nil, "entry \(entry.id) recovered at \(entry.offset), where no frame with a matching CRC is")
            // The kind and id as the frame has them; the rest may read lossily (text that is no
            // UTF-8, bytes after the fields), and then reads back as recovered (`rewritten` below).
            require(
                frame?.payload.prefix(9).elementsEqual(entry.payload.prefix(9)) == true,
                "entry \(entry.id) is not the record of its frame")
            require(entry.id <= reading.maximumID, "entry \(entry.id) above the maximum id \(reading.maximumID)")
            require(
                !reading.damage.contains { $0.range.contains(entry.offset) },
                "entry \(entry.id) recovered from a damaged range")
        }
        var end = 8
        for damage in reading.damage {
            require(
                damage.range.lowerBound >= end && damage.range.upperBound <= bytes.count,
                "damage \(damage.range) out of order")
            require(damage.records >= 1, "a damaged range of no record")
            end = damage.range.upperBound
        }
        if let tail = reading.tornTail {
            require(
                (tail == 0 && bytes.count < 8) || (tail >= end && tail <= bytes.count),
                "torn tail at \(tail), damage up to \(end)")
        }
        guard let again = try? SpoolReading(reading.rewritten) else {
            return require(false, "the live entries written again are no spool")
        }
        require(
            again.live.map(\.payload) == reading.live.map(\.payload),
            "the live entries written again read back otherwise")
        require(
            again.damage.isEmpty && again.tornTail == nil && !again.isFormat1,
            "the entries written again read as damaged")
    }

    /// The payload of the frame at `offset` when its CRC matches: format 2 is the magic (or the
    /// done magic), length, CRC of the length and payload, payload; format 1 has no magic and
    /// the CRC of the payload alone.
    static func frame(_ bytes: [UInt8], at offset: Int, format1: Bool) -> (payload: [UInt8], end: Int)? {
        let header = format1 ? 8 : 12
        guard offset >= 8, offset + header <= bytes.count else { return nil }
        let lengthAt = format1 ? offset : offset + 4
        if !format1 {
            let magic = Array(bytes[offset..<offset + 4])
            guard magic == [0xFA, 0x57, 0x48, 0x52] || magic == [0xFA, 0x57, 0x48, 0x44] else { return nil }
        }
        let length = Int(u32(bytes, lengthAt))
        guard length <= bytes.count - offset - header else { return nil }
        let payload = Array(bytes[(offset + header)..<(offset + header + length)])
        let covered = format1 ? payload : Array(bytes[lengthAt..<lengthAt + 4]) + payload
        guard CRC32.checksum(covered) == u32(bytes, lengthAt + 4) else { return nil }
        return (payload, offset + header + length)
    }

    /// Gives each frame found from the header on a correct CRC, skipping a byte where none starts.
    static func fixChecksums(_ bytes: inout [UInt8]) {
        guard let header = SpoolReading.headers.first(where: { bytes.starts(with: $0) }) else { return }
        let format1 = header == Array("EXWHSPL1".utf8)
        var offset = 8
        while offset + (format1 ? 8 : 12) <= bytes.count {
            let lengthAt = format1 ? offset : offset + 4
            let magic =
                format1
                || [[0xFA, 0x57, 0x48, 0x52], [0xFA, 0x57, 0x48, 0x44]].contains(Array(bytes[offset..<offset + 4]))
            let length = Int(u32(bytes, lengthAt))
            let start = lengthAt + 8
            guard magic, length <= bytes.count - start else {
                offset += 1
                continue
            }
            let covered =
                format1
                ? Array(bytes[start..<start + length])
                : Array(bytes[lengthAt..<lengthAt + 4]) + bytes[start..<start + length]
            let crc = CRC32.checksum(covered)
            for index in 0..<4 { bytes[lengthAt + 4 + index] = UInt8(truncatingIfNeeded: crc >> (8 * index)) }
            offset = start + length
        }
    }

    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }
    }

    static func seeds() -> [[UInt8]] {
        [
            SpoolReading.sample(deliveries: 6, bodyBytes: 40, format1: false),
            SpoolReading.sample(deliveries: 2, bodyBytes: 300, format1: false),
            SpoolReading.sample(deliveries: 5, bodyBytes: 20, format1: true),
            SpoolReading.sample(deliveries: 0, bodyBytes: 0, format1: false),
        ]
    }
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), table-driven: the spool's zlib
/// checksum computed another way.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        (0..<8).reduce(UInt32(index)) { value, _ in value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1 }
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        ~bytes.reduce(~UInt32(0)) { crc, byte in table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    }
}
