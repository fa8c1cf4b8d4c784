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
            41 + delivery.endpoint.utf8.count + delivery.idempotencyKey.utf8.count + delivery.alertID.utf8.count
                + delivery.body.count
        case .memo(let memo): 33 + memo.alertID.utf8.count + memo.payload.count
        }
    }
}

/// The records of a spool file, after the 8-byte header `EXWHSPL1`: each is a little-endian
/// u32 payload length, a u32 CRC-32 of the payload, then the payload, whose first byte says what
/// it is: 1, a delivery (u64 id, f64 created-at, then endpoint, idempotency key, alert id and
/// body, each a u32 length and the bytes); 2, the completion of a delivery or memo (u64 id);
/// 3, a memo (u64 id, f64 created-at, then alert id and payload as above).
enum SpoolRecord: Equatable {
    case delivery(SpooledDelivery)
    case completion(UInt64)
    case memo(SpoolMemo)

    static let header = Array("EXWHSPL1".utf8)
    /// A record larger than this is damage, not a delivery.
    static let maximumPayload = 64 << 20

    func encode(into bytes: inout [UInt8]) {
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
        Self.append(UInt32(payload.count), to: &bytes)
        Self.append(SpoolChecksum.crc32(payload), to: &bytes)
        bytes += payload
    }

    /// The record at `offset` and the offset after it; nil when the bytes there are not a whole,
    /// intact record (the end of the file, or a write cut short).
    static func decode(_ bytes: [UInt8], at offset: Int) -> (SpoolRecord, Int)? {
        var reader = ByteReader(bytes: bytes, offset: offset)
        guard let length = reader.u32(), let crc = reader.u32(), Int(length) <= maximumPayload,
            let payload = reader.take(Int(length)), SpoolChecksum.crc32(payload) == crc
        else { return nil }
        var fields = ByteReader(bytes: payload, offset: 0)
        let record: SpoolRecord?
        switch fields.u8() {
        case 1:
            guard let id = fields.u64(), let created = fields.u64(), let endpoint = fields.text(),
                let key = fields.text(), let alert = fields.text(), let body = fields.lengthPrefixed()
            else { return nil }
            record = .delivery(
                SpooledDelivery(
                    id: id, endpoint: endpoint, idempotencyKey: key, alertID: alert,
                    createdAt: Double(bitPattern: created), body: body))
        case 2: record = fields.u64().map(SpoolRecord.completion)
        case 3:
            guard let id = fields.u64(), let created = fields.u64(), let alert = fields.text(),
                let payload = fields.lengthPrefixed()
            else { return nil }
            record = .memo(SpoolMemo(id: id, alertID: alert, createdAt: Double(bitPattern: created), payload: payload))
        default: record = nil
        }
        return record.map { ($0, reader.offset) }
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    private static func append(_ field: [UInt8], to bytes: inout [UInt8]) {
        append(UInt32(field.count), to: &bytes)
        bytes += field
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
