import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a spool file held when it was opened, and what was wrong with it.
struct SpoolContents {
    var format = SpoolFormat.current
    /// The file as read (empty for a new file).
    var bytes: [UInt8] = []
    /// The entries without a completion.
    var live: [UInt64: SpoolEntry] = [:]
    /// Where each live entry's record starts in the file.
    var offsets: [UInt64: Int] = [:]
    /// The largest id ever given, completed entries included.
    var maximumID: UInt64 = 0
    /// Byte ranges that are not intact records although the file goes on, or that hold a whole
    /// record whose checksum fails: damage after the write, not a write cut short.
    var damage: [DamagedRange] = []
    /// Where an incomplete record at the very end starts (a write cut short by a crash).
    var tornTail: Int?

    struct DamagedRange: Equatable {
        let range: Range<Int>
        /// How many records it held, as far as their magics tell (at least one).
        let records: Int
    }

    var damagedRecords: Int { damage.reduce(0) { $0 + $1.records } }

    /// The bytes of the intact part: up to the torn tail, or the whole file.
    var intactEnd: Int { tornTail ?? bytes.count }
}

/// Reading a spool file back when it is opened.
enum SpoolReplay {
    /// Reads `path`: its records in order, skipping damaged ones (each damaged range ends where
    /// the next intact record starts) and noting an incomplete record at the end.
    static func read(_ path: String) throws -> SpoolContents {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw SpoolError.system("read", path, errno: EACCES) }
            return SpoolContents()
        }
        return try contents(of: Array(data), path: path)
    }

    /// The same for a file's bytes; `path` only names the file in the error.
    static func contents(of bytes: [UInt8], path: String) throws -> SpoolContents {
        var contents = SpoolContents(bytes: bytes)
        guard !bytes.isEmpty else { return contents }
        let headers = SpoolFormat.allCases.map(\.header)
        if bytes.count < headers[0].count, headers.contains(where: { Array($0.prefix(bytes.count)) == bytes }) {
            contents.tornTail = 0  // a header cut short: the file was being created
            return contents
        }
        guard let format = SpoolFormat.allCases.first(where: { Array(bytes.prefix($0.header.count)) == $0.header })
        else {
            throw SpoolError(
                "\(path) is not a webhook spool file (it does not start with EXWHSPL2 or EXWHSPL1); move it away or choose another webhooks.spool_dir"
            )
        }
        contents.format = format
        var offset = format.header.count
        while offset < bytes.count {
            if let (record, done, next) = SpoolRecord.decode(bytes, at: offset, format: format) {
                apply(record, done: done, at: offset, to: &contents)
                offset = next
            } else if let resume = SpoolRecord.nextIntact(bytes, after: offset, format: format) {
                contents.damage.append(
                    .init(
                        range: offset..<resume,
                        records: SpoolRecord.recordCount(in: bytes[offset..<resume], format: format)))
                offset = resume
            } else if SpoolRecord.isCutShort(bytes, at: offset, format: format) {
                contents.tornTail = offset
                break
            } else {
                contents.damage.append(
                    .init(
                        range: offset..<bytes.count,
                        records: SpoolRecord.recordCount(in: bytes[offset...], format: format)))
                break
            }
        }
        return contents
    }

    private static func apply(_ record: SpoolRecord, done: Bool, at offset: Int, to contents: inout SpoolContents) {
        let entry: SpoolEntry
        switch record {
        case .completion(let id):
            contents.live.removeValue(forKey: id)
            contents.offsets.removeValue(forKey: id)
            return
        case .delivery(let delivery): entry = .delivery(delivery)
        case .memo(let memo): entry = .memo(memo)
        }
        contents.maximumID = max(contents.maximumID, entry.id)
        guard !done else { return }
        contents.live[entry.id] = entry
        contents.offsets[entry.id] = offset
    }
}
