import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The writer queue's side of the spool: one write and one sync per batch, or a compaction, or
/// while the spool cannot be written, a rewrite from memory (DeliverySpool+Outage.swift).
extension DeliverySpool {
    struct Batch {
        let number: UInt64
        let descriptor: Int32
        let bytes: [UInt8]
        /// The entries in `bytes` and where each starts in them.
        let entries: [(id: UInt64, at: Int)]
        let completions: [UInt64]
        let needsSync: Bool
        let sizeBefore: Int
    }

    enum Plan {
        case append
        case compact([SpoolEntry])
        /// The file lacks what memory holds: rewrite it from memory.
        case repair([SpoolEntry])
        /// As `repair`, but it is not yet time to try again.
        case hold
    }

    /// `retryNow`: while the spool cannot be written, try the rewrite now whatever the backoff.
    func flush(retryNow: Bool = false) {
        let (batch, plan) = state.withLockedValue { state -> (Batch, Plan) in
            state.flushScheduled = false
            let batch = Batch(
                number: state.batch, descriptor: state.descriptor, bytes: state.buffer, entries: state.buffered,
                completions: state.completions, needsSync: state.needsSync, sizeBefore: state.fileBytes)
            state.buffer = []
            state.buffered = []
            state.completions = []
            state.needsSync = false
            state.batch += 1
            if let outage = state.outage {
                let due = retryNow || DispatchTime.now() >= outage.retryAt
                return (batch, due ? .repair(Array(state.live.values)) : .hold)
            }
            let total = state.fileBytes + batch.bytes.count
            let compact =
                !batch.bytes.isEmpty && !state.closed && total > compactionThreshold && state.liveBytes * 2 < total
            return (batch, compact ? .compact(Array(state.live.values)) : .append)
        }
        let result: Result<Void, SpoolError>
        switch plan {
        case .append: result = append(batch)
        case .compact(let live): result = compactOrAppend(live, batch)
        case .repair(let live): result = repair(live, batch)
        case .hold: result = hold(batch)
        }
        finish(batch, result)
        scheduleRetryIfUnwritable()
    }

    private func finish(_ batch: Batch, _ result: Result<Void, SpoolError>) {
        let ready = state.withLockedValue { state in
            state.writtenBatch = batch.number
            if case .failure(let failure) = result {
                state.failedBatches += 1
                state.failures[batch.number] = failure
                state.failures = state.failures.filter { $0.key + 64 > batch.number }
            }
            let ready = state.waiters.filter { $0.batch <= batch.number }
            state.waiters.removeAll { $0.batch <= batch.number }
            return ready.map { ($0.continuation, state.failures[$0.batch]) }
        }
        for (continuation, failure) in ready {
            if let failure { continuation.resume(throwing: failure) } else { continuation.resume() }
        }
    }

    private func append(_ batch: Batch) -> Result<Void, SpoolError> {
        guard !batch.bytes.isEmpty else { return .success(()) }
        do {
            try SpoolFile.write(batch.descriptor, batch.bytes, path: path)
            if batch.needsSync { try SpoolFile.sync(batch.descriptor, path: path) }
        } catch {
            // Cut off what was half written, so the next records follow whole ones.
            try? SpoolFile.truncate(batch.descriptor, to: batch.sizeBefore, path: path)
            let failure = error as? SpoolError ?? SpoolError("\(error)")
            beginOutage(failure)
            // Its entries stay in memory; its completions mark their records done instead.
            markDone(batch.completions)
            return .failure(failure)
        }
        state.withLockedValue { state in
            state.fileBytes += batch.bytes.count
            for (id, at) in batch.entries { state.offsets[id] = batch.sizeBefore + at }
            for id in batch.completions { state.offsets.removeValue(forKey: id) }
        }
        return .success(())
    }

    private func compactOrAppend(_ live: [SpoolEntry], _ batch: Batch) -> Result<Void, SpoolError> {
        do {
            try rewrite(live)
            state.withLockedValue { $0.compactionFailing = false }
            return .success(())
        } catch {
            metrics.writeFailures.increment()
            let first = state.withLockedValue { state in
                defer { state.compactionFailing = true }
                return !state.compactionFailing
            }
            if first {
                logger.error(
                    "cannot compact the webhook spool; appending instead (said once until a compaction succeeds): \(error)",
                    metadata: ["path": "\(path)"])
            }
            return append(batch)
        }
    }

    /// Writes a file with `live` only and renames it over the spool; `live` includes the entries
    /// of the batch being flushed, and leaves out what its completions completed.
    func rewrite(_ live: [SpoolEntry]) throws {
        let image = SpoolImage(live)
        let descriptor = try SpoolFile.replace(path, with: image.bytes)
        let old = state.withLockedValue { state in
            defer {
                state.descriptor = descriptor
                state.fileBytes = image.bytes.count
                state.offsets = image.offsets
            }
            return state.descriptor
        }
        Glibc.close(old)
    }
}
