import Foundation
import Logging
import Metrics

#if canImport(Glibc)
    import Glibc
#endif

/// The spool file ready for appending, and where its live records are.
struct OpenedSpoolFile {
    let descriptor: Int32
    let fileBytes: Int
    let offsets: [UInt64: Int]
}

/// A spool file with only the given entries, in the current format: what compaction, the repair
/// of a damaged file and the conversion of a format 1 file write.
struct SpoolImage {
    var bytes = SpoolRecord.header
    var offsets: [UInt64: Int] = [:]

    init(_ entries: some Sequence<SpoolEntry>) {
        for entry in entries.sorted(by: { $0.id < $1.id }) {
            offsets[entry.id] = bytes.count
            entry.record.encode(into: &bytes)
        }
    }
}

/// Dealing with what `SpoolReplay.read` found before the spool takes new records: a torn tail is
/// cut off; damaged records are counted, their bytes copied aside and the file rewritten without
/// them; a format 1 file is rewritten in the current format.
enum SpoolOpening {
    static func open(
        _ path: String, _ contents: SpoolContents, logger: Logger, corruptRecords: Counter
    ) throws -> OpenedSpoolFile {
        if let tail = contents.tornTail { logTornTail(path, at: tail, of: contents.bytes.count, logger: logger) }
        if contents.intactEnd == 0 { return try create(path, truncating: !contents.bytes.isEmpty) }
        var keptAside = false
        if !contents.damage.isEmpty {
            corruptRecords.increment(by: contents.damagedRecords)
            keptAside = keepDamageAside(path, contents, logger: logger)
        }
        if contents.format != SpoolFormat.current {
            guard contents.damage.isEmpty || keptAside else {
                throw SpoolError(
                    "cannot keep the damaged records of \(path) aside before rewriting it in the current format; free space in its directory, or move the file away (its pending deliveries are then not sent)"
                )
            }
            let opened = try rewrite(path, contents)
            logger.info(
                "the webhook spool was rewritten in the current format (EXWHSPL2)",
                metadata: ["path": "\(path)", "live_entries": "\(contents.live.count)"])
            return opened
        }
        if keptAside {
            do { return try rewrite(path, contents) } catch {
                logger.error(
                    "cannot rewrite the webhook spool without its damaged records; it is kept as it is, and the damage is reported again at the next start: \(error)",
                    metadata: ["path": "\(path)"])
            }
        }
        if contents.tornTail != nil { try truncate(path, to: contents.intactEnd) }
        return OpenedSpoolFile(
            descriptor: try SpoolFile.openForAppend(path), fileBytes: contents.intactEnd, offsets: contents.offsets)
    }

    /// A new file: its directory entry must survive a crash as surely as its records.
    private static func create(_ path: String, truncating: Bool) throws -> OpenedSpoolFile {
        if truncating { try truncate(path, to: 0) }
        let descriptor = try SpoolFile.openForAppend(path)
        do {
            try SpoolFile.write(descriptor, SpoolRecord.header, path: path)
            try SpoolFile.sync(descriptor, path: path)
            SpoolFile.syncDirectory(of: path)
        } catch {
            Glibc.close(descriptor)
            throw error
        }
        return OpenedSpoolFile(descriptor: descriptor, fileBytes: SpoolRecord.header.count, offsets: [:])
    }

    private static func rewrite(_ path: String, _ contents: SpoolContents) throws -> OpenedSpoolFile {
        let image = SpoolImage(contents.live.values)
        return OpenedSpoolFile(
            descriptor: try SpoolFile.replace(path, with: image.bytes), fileBytes: image.bytes.count,
            offsets: image.offsets)
    }

    /// Cuts off a damaged tail: a write the crash cut short, never a delivery already confirmed.
    private static func logTornTail(_ path: String, at offset: Int, of size: Int, logger: Logger) {
        logger.warning(
            "the webhook spool ends with a record cut short (a torn tail: a crash during a write that was never confirmed); discarding it",
            metadata: ["path": "\(path)", "offset": "\(offset)", "discarded_bytes": "\(size - offset)"])
    }

    private static func truncate(_ path: String, to size: Int) throws {
        let descriptor = Glibc.open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SpoolError.system("open", path) }
        defer { Glibc.close(descriptor) }
        try SpoolFile.truncate(descriptor, to: size, path: path)
    }

    /// Copies the damaged ranges, one after the other, into `<path>.corrupt-<UTC time>` (0600) and
    /// says so; false when they could not be kept (said too).
    private static func keepDamageAside(_ path: String, _ contents: SpoolContents, logger: Logger) -> Bool {
        let ranges = contents.damage.map { "\($0.range.lowerBound)-\($0.range.upperBound)" }.joined(separator: ", ")
        var metadata: Logger.Metadata = [
            "path": "\(path)", "damaged_ranges": "\(ranges)", "records_skipped": "\(contents.damagedRecords)",
        ]
        let aside = "\(path).corrupt-\(timestamp())"
        do {
            try SpoolFile.createNew(aside, with: contents.damage.flatMap { contents.bytes[$0.range] })
            metadata["kept_in"] = "\(aside)"
            logger.error(
                "the webhook spool has damaged records between intact ones (not a write cut short by a crash: the disk or another program changed the file); they are skipped and every intact record after them is kept. A delivery among them is lost, a completion among them sends its delivery again; their bytes are kept aside for inspection",
                metadata: metadata)
            return true
        } catch {
            logger.error(
                "the webhook spool has damaged records between intact ones (not a write cut short by a crash); they are skipped and every intact record after them is kept, but their bytes cannot be kept aside: \(error)",
                metadata: metadata)
            return false
        }
    }

    private static func timestamp() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
            parts.tm_min, parts.tm_sec)
    }
}
