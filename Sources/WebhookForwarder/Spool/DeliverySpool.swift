import Dispatch
import Foundation
import Logging
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// A delivery the caller wants spooled; the spool gives it its id.
struct DeliveryDraft: Sendable {
    let endpoint: String
    let idempotencyKey: String
    let alertID: String
    let createdAt: Double
    let body: [UInt8]
}

/// A memo the caller wants spooled.
struct MemoDraft: Sendable {
    let alertID: String
    let createdAt: Double
    let payload: [UInt8]
}

/// The append-only file that makes deliveries survive a crash (`spool_dir/deliveries.spool`).
///
/// `append` returns once its deliveries are written and synced to disk; appends that arrive
/// while a sync runs are written and synced together by the next one (group commit).
/// Completions are written without a sync of their own: losing one in a crash only sends that
/// delivery again, with the same idempotency key. When the file is mostly completed deliveries
/// it is rewritten with the pending ones only and renamed over the old one.
///
/// Beside deliveries it keeps memos: escalations to resolve when their acknowledgement comes.
final class DeliverySpool: Sendable {
    let path: String
    /// The deliveries that were pending when the spool was opened, in id order.
    let recovered: [SpooledDelivery]
    /// The memos that were live when the spool was opened, in id order.
    let recoveredMemos: [SpoolMemo]
    private let lockDescriptor: Int32
    private let compactionThreshold: Int
    private let logger: Logger
    private let state: NIOLockedValueBox<State>
    private let writer = DispatchQueue(label: "exesdb_exporter.webhook-spool")

    private struct State {
        var descriptor: Int32
        var nextID: UInt64
        var buffer: [UInt8] = []
        var waiters: [CheckedContinuation<Void, any Error>] = []
        /// The deliveries in `buffer`, forgotten again if their write fails.
        var unsynced: [UInt64] = []
        var flushScheduled = false
        var live: [UInt64: SpoolEntry] = [:]
        var liveBytes = 0
        var fileBytes: Int
        var closed = false
    }

    /// Opens (or creates) the spool in `directory`, locks it against a second process and reads
    /// back what was pending. A damaged tail (a write cut short by a crash) is cut off and logged.
    init(directory: String, compactionThreshold: Int = 4 << 20, logger: Logger) throws {
        try SpoolFile.makeDirectory(directory)
        lockDescriptor = try SpoolFile.lock(directory)
        path = "\(directory)/deliveries.spool"
        self.compactionThreshold = compactionThreshold
        self.logger = logger
        do {
            let replay = try Self.replay(path, logger: logger)
            let descriptor = try SpoolFile.openForAppend(path)
            if replay.validBytes == 0 { try SpoolFile.write(descriptor, SpoolRecord.header, path: path) }
            let entries = replay.live.values.sorted { $0.id < $1.id }
            recovered = entries.compactMap { if case .delivery(let delivery) = $0 { delivery } else { nil } }
            recoveredMemos = entries.compactMap { if case .memo(let memo) = $0 { memo } else { nil } }
            var initial = State(
                descriptor: descriptor, nextID: replay.maximumID + 1,
                fileBytes: max(replay.validBytes, SpoolRecord.header.count))
            initial.live = replay.live
            initial.liveBytes = replay.live.values.reduce(0) { $0 + $1.size }
            state = NIOLockedValueBox(initial)
        } catch {
            Glibc.close(lockDescriptor)
            throw error
        }
    }

    /// Writes the deliveries and returns them with their ids once they are on disk.
    func append(_ drafts: [DeliveryDraft]) async throws -> [SpooledDelivery] {
        try await append(drafts, memos: []).deliveries
    }

    /// Writes deliveries and memos together; returns them with their ids once they are on disk.
    func append(
        _ drafts: [DeliveryDraft], memos: [MemoDraft]
    ) async throws -> (deliveries: [SpooledDelivery], memos: [SpoolMemo]) {
        var appended: ([SpooledDelivery], [SpoolMemo]) = ([], [])
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let entries = state.withLockedValue { state -> ([SpooledDelivery], [SpoolMemo])? in
                guard !state.closed else { return nil }
                let deliveries = drafts.map { draft in
                    defer { state.nextID += 1 }
                    return SpooledDelivery(
                        id: state.nextID, endpoint: draft.endpoint, idempotencyKey: draft.idempotencyKey,
                        alertID: draft.alertID, createdAt: draft.createdAt, body: draft.body)
                }
                let memos = memos.map { draft in
                    defer { state.nextID += 1 }
                    return SpoolMemo(
                        id: state.nextID, alertID: draft.alertID, createdAt: draft.createdAt, payload: draft.payload)
                }
                for entry in deliveries.map(SpoolEntry.delivery) + memos.map(SpoolEntry.memo) {
                    entry.record.encode(into: &state.buffer)
                    state.live[entry.id] = entry
                    state.liveBytes += entry.size
                    state.unsynced.append(entry.id)
                }
                state.waiters.append(continuation)
                scheduleFlush(&state)
                return (deliveries, memos)
            }
            if let entries {
                appended = entries
            } else {
                continuation.resume(throwing: SpoolError("the spool \(path) is closed"))
            }
        }
        return appended
    }

    /// Marks a delivery as done (delivered, failed or dropped) or a memo as no longer needed;
    /// it will not be replayed.
    func complete(_ id: UInt64) {
        state.withLockedValue { state in
            guard !state.closed, let entry = state.live.removeValue(forKey: id) else { return }
            state.liveBytes -= entry.size
            SpoolRecord.completion(id).encode(into: &state.buffer)
            scheduleFlush(&state)
        }
    }

    /// The deliveries not completed yet.
    var pendingCount: Int {
        state.withLockedValue { $0.live.values.count { if case .delivery = $0 { true } else { false } } }
    }

    /// Writes what is buffered, syncs, and closes the file; later appends fail.
    func close() {
        writer.sync { flush() }
        state.withLockedValue { state in
            guard !state.closed else { return }
            state.closed = true
            try? SpoolFile.sync(state.descriptor, path: path)
            Glibc.close(state.descriptor)
        }
        Glibc.close(lockDescriptor)
    }

    private func scheduleFlush(_ state: inout State) {
        guard !state.flushScheduled else { return }
        state.flushScheduled = true
        writer.async { self.flush() }
    }

    /// On the writer queue: one write and one sync for everything buffered, or a compaction.
    private func flush() {
        let (work, live) = state.withLockedValue { state -> (Flush, [SpoolEntry]?) in
            state.flushScheduled = false
            let work = Flush(
                descriptor: state.descriptor, bytes: state.buffer, waiters: state.waiters, appended: state.unsynced,
                sizeBefore: state.fileBytes)
            state.buffer = []
            state.waiters = []
            state.unsynced = []
            let total = state.fileBytes + work.bytes.count
            let compact = !state.closed && total > compactionThreshold && state.liveBytes * 2 < total
            return (work, compact ? state.live.values.sorted { $0.id < $1.id } : nil)
        }
        guard !work.bytes.isEmpty || !work.waiters.isEmpty else { return }
        let result = Result {
            if let live {
                do { return try compact(live) } catch {
                    logger.error("cannot compact the webhook spool; appending instead: \(error)")
                }
            }
            try write(work)
        }
        switch result {
        case .success: for waiter in work.waiters { waiter.resume() }
        case .failure(let error):
            // Their callers learn that they were not taken: they must not be sent later either.
            state.withLockedValue { state in
                for id in work.appended {
                    if let entry = state.live.removeValue(forKey: id) { state.liveBytes -= entry.size }
                }
            }
            for waiter in work.waiters { waiter.resume(throwing: error) }
        }
    }

    private struct Flush {
        let descriptor: Int32
        let bytes: [UInt8]
        let waiters: [CheckedContinuation<Void, any Error>]
        let appended: [UInt64]
        let sizeBefore: Int
    }

    private func write(_ work: Flush) throws {
        do {
            try SpoolFile.write(work.descriptor, work.bytes, path: path)
            if !work.waiters.isEmpty { try SpoolFile.sync(work.descriptor, path: path) }
            state.withLockedValue { $0.fileBytes += work.bytes.count }
        } catch {
            // Cut off what was half written, so the next records follow whole ones.
            try? SpoolFile.truncate(work.descriptor, to: work.sizeBefore, path: path)
            throw error
        }
    }

    private func compact(_ live: [SpoolEntry]) throws {
        var bytes = SpoolRecord.header
        for entry in live { entry.record.encode(into: &bytes) }
        let descriptor = try SpoolFile.replace(path, with: bytes)
        let old = state.withLockedValue { state in
            defer {
                state.descriptor = descriptor
                state.fileBytes = bytes.count
            }
            return state.descriptor
        }
        Glibc.close(old)
    }

    /// What a spool file holds: the deliveries without a completion, the largest id ever given,
    /// and the length of the intact part (0 for a new file).
    private static func replay(
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
            case .delivery(let delivery):
                live[delivery.id] = .delivery(delivery)
                maximumID = max(maximumID, delivery.id)
            case .memo(let memo):
                live[memo.id] = .memo(memo)
                maximumID = max(maximumID, memo.id)
            case .completion(let id): live.removeValue(forKey: id)
            }
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
