import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Reading a spool file back when it is opened.
enum SpoolReplay {
    /// What a spool file holds: the entries without a completion, the largest id ever given,
    /// and the length of the intact part (0 for a new file).
    static func read(
        _ path: String, logger: Logger
    ) throws -> (live: [UInt64: SpoolEntry], maximumID: UInt64, validBytes: Int) {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw SpoolError.system("read", path, errno: EACCES) }
            return ([:], 0, 0)
        }
        let bytes = Array(data)
        let header = SpoolRecord.header
        if bytes.count < header.count, Array(header.prefix(bytes.count)) == bytes {
            try cut(path, at: 0, of: bytes.count, logger: logger)
            return ([:], 0, 0)
        }
        guard Array(bytes.prefix(header.count)) == header else {
            throw SpoolError(
                "\(path) is not a webhook spool file (it does not start with EXWHSPL1); move it away or choose another webhooks.spool_dir"
            )
        }
        var live: [UInt64: SpoolEntry] = [:]
        var maximumID: UInt64 = 0
        var offset = header.count
        while let (record, next) = SpoolRecord.decode(bytes, at: offset) {
            switch record {
            case .delivery(let delivery): live[delivery.id] = .delivery(delivery)
            case .memo(let memo): live[memo.id] = .memo(memo)
            case .completion(let id): live.removeValue(forKey: id)
            }
            if case .delivery(let delivery) = record { maximumID = max(maximumID, delivery.id) }
            if case .memo(let memo) = record { maximumID = max(maximumID, memo.id) }
            offset = next
        }
        if offset < bytes.count { try cut(path, at: offset, of: bytes.count, logger: logger) }
        return (live, maximumID, offset)
    }

    /// Cuts off a damaged tail: a write the crash cut short, never a delivery already confirmed.
    private static func cut(_ path: String, at offset: Int, of size: Int, logger: Logger) throws {
        logger.warning(
            "the webhook spool ends with a record cut short (a crash during a write); discarding it",
            metadata: ["path": "\(path)", "offset": "\(offset)", "discarded_bytes": "\(size - offset)"])
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SpoolError.system("open", path) }
        defer { Glibc.close(descriptor) }
        try SpoolFile.truncate(descriptor, to: offset, path: path)
    }
}
