import Dispatch
import Foundation
import Logging
import Metrics
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

/// Entries written to the buffer, and the batch whose sync makes them durable.
struct BufferedEntries: Sendable {
    let deliveries: [SpooledDelivery]
    let memos: [SpoolMemo]
    let batch: UInt64
}

/// The append-only file that makes deliveries survive a crash (`spool_dir/deliveries.spool`).
///
/// `buffer` gives entries their ids at once; `waitUntilDurable` returns once they are written
/// and synced. Entries buffered while a sync runs are written and synced together by the next
/// one (group commit). Completions get no sync of their own: losing one in a crash only sends
/// that delivery again, with the same idempotency key. When the file is mostly completed
/// entries it is rewritten with the live ones only and renamed over the old one.
///
/// When a write fails (a full disk), what it held stays in memory: new entries are sent from
/// memory only, completions mark their records done in place (no new space needed), and the file
/// is rewritten from memory as soon as it can be (DeliverySpool+Outage.swift).
///
/// Beside deliveries it keeps memos: escalations to resolve when their acknowledgement comes.
final class DeliverySpool: Sendable {
    let path: String
    /// The deliveries that were pending when the spool was opened, in id order.
    let recovered: [SpooledDelivery]
    /// The memos that were live when the spool was opened, in id order.
    let recoveredMemos: [SpoolMemo]
    let lockDescriptor: Int32
    let compactionThreshold: Int
    let logger: Logger
    let metrics: SpoolMetrics
    let state: NIOLockedValueBox<State>
    let writer = DispatchQueue(label: "exesdb_exporter.webhook-spool")

    struct State {
        var descriptor: Int32
        var nextID: UInt64
        var buffer: [UInt8] = []
        /// The entries in `buffer` and where each starts in it.
        var buffered: [(id: UInt64, at: Int)] = []
        /// The completions in `buffer`.
        var completions: [UInt64] = []
        /// Whether `buffer` holds entries (not only completions) and so needs a sync.
        var needsSync = false
        /// The batch `buffer` will be written as; batches are written in order.
        var batch: UInt64 = 1
        var writtenBatch: UInt64 = 0
        /// Batches whose write failed, with why (the latest few).
        var failures: [UInt64: SpoolError] = [:]
        var waiters: [(batch: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var flushScheduled = false
        var live: [UInt64: SpoolEntry] = [:]
        var liveBytes = 0
        /// Where the records of entries in the file start: the live ones, and completed ones whose
        /// completion is not written yet (the writer queue keeps it).
        var offsets: [UInt64: Int]
        var fileBytes: Int
        var closed = false
        /// Batches whose write failed since the spool was opened.
        var failedBatches = 0
        /// Set while the file lacks entries or completions that memory holds.
        var outage: SpoolOutage?
        /// Whether the last compaction failed (said once until one succeeds).
        var compactionFailing = false
    }

    static let defaultCompactionThreshold = 4 << 20

    /// Opens (or creates) the spool in `directory`, locks it against a second process and reads
    /// back what was pending. A torn tail (a write cut short by a crash) is cut off; damaged
    /// records between intact ones are skipped, counted and copied aside (SpoolOpening); both
    /// are logged.
    init(
        directory: String, compactionThreshold: Int = defaultCompactionThreshold, logger: Logger,
        metrics: SpoolMetrics = SpoolMetrics(factory: NOOPMetricsHandler.instance)
    ) throws {
        try SpoolFile.makeDirectory(directory)
        lockDescriptor = try SpoolFile.lock(directory)
        path = "\(directory)/deliveries.spool"
        self.compactionThreshold = compactionThreshold
        self.logger = logger
        self.metrics = metrics
        do {
            let contents = try SpoolReplay.read(path)
            let file = try SpoolOpening.open(path, contents, logger: logger, corruptRecords: metrics.corruptRecords)
            let entries = contents.live.values.sorted { $0.id < $1.id }
            recovered = entries.compactMap { if case .delivery(let delivery) = $0 { delivery } else { nil } }
            recoveredMemos = entries.compactMap { if case .memo(let memo) = $0 { memo } else { nil } }
            var initial = State(
                descriptor: file.descriptor, nextID: contents.maximumID + 1, offsets: file.offsets,
                fileBytes: file.fileBytes)
            initial.live = contents.live
            initial.liveBytes = contents.live.values.reduce(0) { $0 + $1.size }
            state = NIOLockedValueBox(initial)
        } catch {
            Glibc.close(lockDescriptor)
            throw error
        }
    }

    /// Gives the drafts their ids and queues their records for the next write.
    func buffer(_ drafts: [DeliveryDraft], memos: [MemoDraft] = []) throws -> BufferedEntries {
        try state.withLockedValue { state in
            guard !state.closed else { throw SpoolError("the spool \(path) is closed") }
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
                state.buffered.append((entry.id, state.buffer.count))
                entry.record.encode(into: &state.buffer)
                state.live[entry.id] = entry
                state.liveBytes += entry.size
            }
            state.needsSync = true
            scheduleFlush(&state)
            return BufferedEntries(deliveries: deliveries, memos: memos, batch: state.batch)
        }
    }

    /// Returns once `batch` is written and synced; throws why it could not be.
    func waitUntilDurable(_ batch: UInt64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome = state.withLockedValue { state -> Result<Void, SpoolError>? in
                guard state.writtenBatch >= batch else {
                    state.waiters.append((batch, continuation))
                    return nil
                }
                return state.failures[batch].map { .failure($0) } ?? .success(())
            }
            outcome.map { continuation.resume(with: $0) }
        }
    }

    /// Returns once everything buffered before the call is written and synced; false when a
    /// write failed since the spool was opened.
    func waitUntilAllDurable() async -> Bool {
        // An empty buffer: what came before is in the batches already taken by the writer.
        let batch = state.withLockedValue { $0.buffer.isEmpty ? $0.batch - 1 : $0.batch }
        try? await waitUntilDurable(batch)
        return state.withLockedValue { $0.failedBatches == 0 }
    }

    /// Writes the deliveries and returns them with their ids once they are on disk.
    func append(_ drafts: [DeliveryDraft]) async throws -> [SpooledDelivery] {
        let buffered = try buffer(drafts)
        try await waitUntilDurable(buffered.batch)
        return buffered.deliveries
    }

    /// Marks a delivery as done (delivered, failed or dropped) or a memo as no longer needed;
    /// it will not be replayed.
    func complete(_ id: UInt64) {
        state.withLockedValue { state in
            guard !state.closed, let entry = state.live.removeValue(forKey: id) else { return }
            state.liveBytes -= entry.size
            SpoolRecord.completion(id).encode(into: &state.buffer)
            state.completions.append(id)
            scheduleFlush(&state)
        }
    }

    /// The deliveries not completed yet.
    var pendingCount: Int {
        state.withLockedValue { $0.live.values.count { if case .delivery = $0 { true } else { false } } }
    }

    /// The memos not completed yet.
    var memoCount: Int {
        state.withLockedValue { $0.live.values.count { if case .memo = $0 { true } else { false } } }
    }

    /// Writes what is buffered, syncs, and closes the file; later buffering fails. A spool that
    /// could not be written is tried once more. The writing happens on the writer queue: no task
    /// thread waits for the disk.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            writer.async {
                // Closed first, so nothing more is buffered; then what was buffered is written.
                let wasOpen = self.state.withLockedValue { state in
                    defer { state.closed = true }
                    return !state.closed
                }
                if wasOpen {
                    self.flush(retryNow: true)
                    self.sayIfStillUnwritable()
                    let descriptor = self.state.withLockedValue { $0.descriptor }
                    try? SpoolFile.sync(descriptor, path: self.path)
                    Glibc.close(descriptor)
                    Glibc.close(self.lockDescriptor)
                }
                continuation.resume()
            }
        }
    }

    func scheduleFlush(_ state: inout State) {
        guard !state.flushScheduled else { return }
        state.flushScheduled = true
        writer.async { self.flush() }
    }
}

/// The spool's own counters (`WebhookFamilies.spoolCorruptRecords`, `.spoolWriteFailures`).
struct SpoolMetrics: Sendable {
    static let corruptRecordsName = WebhookFamilies.spoolCorruptRecords.name
    static let writeFailuresName = WebhookFamilies.spoolWriteFailures.name

    /// Damaged records skipped when the spool was opened.
    let corruptRecords: Counter
    /// Writes that failed: appends, compactions, rewrites after an outage, done marks.
    let writeFailures: Counter

    init(factory: any MetricsFactory) {
        corruptRecords = Counter(label: Self.corruptRecordsName, dimensions: [], factory: factory)
        writeFailures = Counter(label: Self.writeFailuresName, dimensions: [], factory: factory)
    }
}
