/// A delivery as the spool keeps it: everything needed to send it again after a restart.
struct SpooledDelivery: Sendable, Equatable {
    let id: UInt64
    let endpoint: String
    let idempotencyKey: String
    /// Deliveries of one alert to one endpoint go out in id order.
    let alertID: String
    /// When it was accepted (Unix seconds); max_age counts from here, across restarts.
    let createdAt: Double
    let body: [UInt8]
}

/// An escalation remembered until it is acknowledged (or too old), so that an acknowledgement
/// after a restart still resolves it. `payload` is the forwarder's own encoding.
struct SpoolMemo: Sendable, Equatable {
    let id: UInt64
    let alertID: String
    let createdAt: Double
    let payload: [UInt8]
}

/// A live entry of the spool.
enum SpoolEntry: Sendable, Equatable {
    case delivery(SpooledDelivery)
    case memo(SpoolMemo)

    var id: UInt64 {
        switch self {
        case .delivery(let delivery): delivery.id
        case .memo(let memo): memo.id
        }
    }

    var record: SpoolRecord {
        switch self {
        case .delivery(let delivery): .delivery(delivery)
        case .memo(let memo): .memo(memo)
        }
    }

    /// Its size in the file, near enough to decide when to compact.
    var size: Int {
        switch self {
        case .delivery(let delivery):
            45 + delivery.endpoint.utf8.count + delivery.idempotencyKey.utf8.count + delivery.alertID.utf8.count
                + delivery.body.count
        case .memo(let memo): 37 + memo.alertID.utf8.count + memo.payload.count
        }
    }
}

/// The records of a spool file, after its 8-byte header.
///
/// Format 2 (header `EXWHSPL2`) frames each record so that a reader can find the next one after
/// damage: the magic `FA 57 48 52` ("\u{FA}WHR"; FA never occurs in UTF-8 text), a little-endian
/// u32 payload length, a u32 CRC-32 of those 4 length bytes and the payload, then the payload.
/// A record whose entry was completed while completions could not be appended (a full disk) gets
/// its magic overwritten in place with `FA 57 48 44` ("\u{FA}WHD", done), which needs no new space.
/// Format 1 (`EXWHSPL1`, read only: such a file is rewritten in format 2 when opened) has no magic:
/// a u32 length, a u32 CRC-32 of the payload alone, then the payload.
///
/// The payload's first byte says what it is: 1, a delivery (u64 id, f64 created-at, then endpoint,
/// idempotency key, alert id and body, each a u32 length and the bytes); 2, the completion of a
/// delivery or memo (u64 id); 3, a memo (u64 id, f64 created-at, then alert id and payload as above).
enum SpoolRecord: Equatable {
    case delivery(SpooledDelivery)
    case completion(UInt64)
    case memo(SpoolMemo)

    /// The header of the files this version writes.
    static let header = SpoolFormat.current.header
    static let magic: [UInt8] = [0xFA, 0x57, 0x48, 0x52]
    static let doneMagic: [UInt8] = [0xFA, 0x57, 0x48, 0x44]
    /// Magic, length and checksum.
    static let frameHeaderSize = 12
    /// A record larger than this is damage, not a delivery.
    static let maximumPayload = 64 << 20

    /// The record framed in the current format.
    func encode(into bytes: inout [UInt8]) {
        let payload = self.payload
        let length = Self.littleEndian(UInt32(payload.count))
        bytes += Self.magic
        bytes += length
        bytes += Self.littleEndian(SpoolChecksum.crc32(payload, continuing: SpoolChecksum.crc32(length)))
        bytes += payload
    }

    var payload: [UInt8] {
        var payload: [UInt8] = []
        switch self {
        case .delivery(let delivery):
            payload.reserveCapacity(delivery.body.count + 128)
            payload.append(1)
            Self.append(delivery.id, to: &payload)
            Self.append(delivery.createdAt.bitPattern, to: &payload)
            for field in [
                Array(delivery.endpoint.utf8), Array(delivery.idempotencyKey.utf8), Array(delivery.alertID.utf8),
            ] {
                Self.append(field, to: &payload)
            }
            Self.append(delivery.body, to: &payload)
        case .completion(let id):
            payload.append(2)
            Self.append(id, to: &payload)
        case .memo(let memo):
            payload.append(3)
            Self.append(memo.id, to: &payload)
            Self.append(memo.createdAt.bitPattern, to: &payload)
            Self.append(Array(memo.alertID.utf8), to: &payload)
            Self.append(memo.payload, to: &payload)
        }
        return payload
    }

    /// The record at `offset`, whether it was marked done in place, and the offset after it; nil
    /// when the bytes there are not a whole, intact record.
    static func decode(
        _ bytes: [UInt8], at offset: Int, format: SpoolFormat = .current
    ) -> (record: SpoolRecord, done: Bool, next: Int)? {
        var reader = ByteReader(bytes: bytes, offset: offset)
        let done: Bool
        let checksum: (ArraySlice<UInt8>) -> UInt32
        switch format {
        case .version1:
            done = false
            checksum = { SpoolChecksum.crc32($0) }
        case .version2:
            guard let magic = reader.take(4), magic == Self.magic || magic == Self.doneMagic else { return nil }
            done = magic == Self.doneMagic
            checksum = { SpoolChecksum.crc32($0, continuing: SpoolChecksum.crc32(bytes[offset + 4..<offset + 8])) }
        }
        guard let length = reader.u32().map({ Int($0) }), let crc = reader.u32(), length <= maximumPayload,
            reader.remaining >= length
        else { return nil }
        let payload = bytes[reader.offset..<reader.offset + length]
        guard checksum(payload) == crc, let record = parse(payload) else { return nil }
        return (record, done, reader.offset + length)
    }

    /// Whether the bytes from `offset` to the end are the start of a record that a write did not
    /// finish: too few bytes for a frame's header, or fewer than the length it announces.
    static func isCutShort(_ bytes: [UInt8], at offset: Int, format: SpoolFormat = .current) -> Bool {
        let remaining = bytes.count - offset
        var reader = ByteReader(bytes: bytes, offset: offset)
        switch format {
        case .version1:
            guard let length = reader.u32(), reader.u32() != nil else { return remaining < 8 }
            return Int(length) <= maximumPayload && Int(length) > reader.remaining
        case .version2:
            let start = Array(bytes[offset..<min(bytes.count, offset + 4)])
            guard start == Array(magic.prefix(start.count)) else { return false }
            guard reader.take(4) != nil, let length = reader.u32(), reader.u32() != nil else { return true }
            return Int(length) <= maximumPayload && Int(length) > reader.remaining
        }
    }

    /// Where the next record that decodes intact starts after `offset`, if any.
    static func nextIntact(_ bytes: [UInt8], after offset: Int, format: SpoolFormat = .current) -> Int? {
        var candidate = offset + 1
        while candidate < bytes.count {
            switch format {
            case .version1: break
            case .version2:
                // Only a magic can start a record: jump from one FA byte to the next.
                guard let next = bytes[candidate...].firstIndex(of: magic[0]) else { return nil }
                candidate = next
            }
            if decode(bytes, at: candidate, format: format) != nil { return candidate }
            candidate += 1
        }
        return nil
    }

    /// How many records a damaged range held, as far as their magics tell (at least one).
    static func recordCount(in bytes: ArraySlice<UInt8>, format: SpoolFormat = .current) -> Int {
        guard format == .version2, bytes.count >= 4 else { return 1 }
        var count = 0
        var index = bytes.startIndex
        while index + 4 <= bytes.endIndex {
            let window = bytes[index..<index + 4]
            if window.elementsEqual(magic) || window.elementsEqual(doneMagic) { count += 1 }
            index += 1
        }
        return max(count, 1)
    }

    private static func parse(_ payload: ArraySlice<UInt8>) -> SpoolRecord? {
        var fields = ByteReader(bytes: Array(payload), offset: 0)
        switch fields.u8() {
        case 1:
            guard let id = fields.u64(), let created = fields.u64(), let endpoint = fields.text(),
                let key = fields.text(), let alert = fields.text(), let body = fields.lengthPrefixed()
            else { return nil }
            return .delivery(
                SpooledDelivery(
                    id: id, endpoint: endpoint, idempotencyKey: key, alertID: alert,
                    createdAt: Double(bitPattern: created), body: body))
        case 2: return fields.u64().map(SpoolRecord.completion)
        case 3:
            guard let id = fields.u64(), let created = fields.u64(), let alert = fields.text(),
                let payload = fields.lengthPrefixed()
            else { return nil }
            return .memo(SpoolMemo(id: id, alertID: alert, createdAt: Double(bitPattern: created), payload: payload))
        default: return nil
        }
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        bytes += littleEndian(value)
    }

    private static func append(_ field: [UInt8], to bytes: inout [UInt8]) {
        append(UInt32(field.count), to: &bytes)
        bytes += field
    }
}

/// The layouts of a spool file, told apart by its header.
enum SpoolFormat: Sendable, CaseIterable {
    case version1, version2

    static let current = version2

    var header: [UInt8] {
        switch self {
        case .version1: Array("EXWHSPL1".utf8)
        case .version2: Array("EXWHSPL2".utf8)
        }
    }
}

/// Little-endian reads that stop (nil) at the end of the bytes instead of trapping.
private struct ByteReader {
    let bytes: [UInt8]
    var offset: Int

    mutating func take(_ count: Int) -> [UInt8]? {
        guard count >= 0, bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    var remaining: Int { bytes.count - offset }

    mutating func u8() -> UInt8? { take(1)?.first }

    mutating func u32() -> UInt32? { integer(UInt32.self) }

    mutating func u64() -> UInt64? { integer(UInt64.self) }

    mutating func lengthPrefixed() -> [UInt8]? { u32().flatMap { take(Int($0)) } }

    mutating func text() -> String? { lengthPrefixed().map { String(decoding: $0, as: UTF8.self) } }

    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type) -> T? {
        guard let raw = take(MemoryLayout<T>.size) else { return nil }
        return raw.reversed().reduce(T.zero) { ($0 << 8) | T($1) }
    }
}
