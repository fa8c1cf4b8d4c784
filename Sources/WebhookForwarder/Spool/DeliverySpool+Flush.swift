import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The writer queue's side of the spool: one write and one sync per batch, or a compaction.
extension DeliverySpool {
    struct Batch {
        let number: UInt64
        let descriptor: Int32
        let bytes: [UInt8]
        let entries: [UInt64]
        let needsSync: Bool
        let sizeBefore: Int
    }

    func flush() {
        let (batch, live) = state.withLockedValue { state -> (Batch, [SpoolEntry]?) in
            state.flushScheduled = false
            let batch = Batch(
                number: state.batch, descriptor: state.descriptor, bytes: state.buffer, entries: state.unsynced,
                needsSync: state.needsSync, sizeBefore: state.fileBytes)
            state.buffer = []
            state.unsynced = []
            state.needsSync = false
            state.batch += 1
            let total = state.fileBytes + batch.bytes.count
            let compact = !state.closed && total > compactionThreshold && state.liveBytes * 2 < total
            return (batch, compact ? state.live.values.sorted { $0.id < $1.id } : nil)
        }
        let result = Result<Void, any Error> {
            guard !batch.bytes.isEmpty else { return }
            if let live {
                do { return try compact(live) } catch {
                    logger.error("cannot compact the webhook spool; appending instead: \(error)")
                }
            }
            try write(batch)
        }
        finish(batch, result)
    }

    private func finish(_ batch: Batch, _ result: Result<Void, any Error>) {
        let failure = result.mapError { $0 as? SpoolError ?? SpoolError("\($0)") }.failure
        let ready = state.withLockedValue { state in
            state.writtenBatch = batch.number
            if let failure {
                state.failedBatches += 1
                state.failures[batch.number] = failure
                state.failures = state.failures.filter { $0.key + 64 > batch.number }
                // Not on disk: a restart must not find them (they may still go out from memory).
                for id in batch.entries {
                    if let entry = state.live.removeValue(forKey: id) { state.liveBytes -= entry.size }
                }
            }
            let ready = state.waiters.filter { $0.batch <= batch.number }
            state.waiters.removeAll { $0.batch <= batch.number }
            return ready.map { ($0.continuation, state.failures[$0.batch]) }
        }
        for (continuation, failure) in ready {
            if let failure { continuation.resume(throwing: failure) } else { continuation.resume() }
        }
    }

    private func write(_ batch: Batch) throws {
        do {
            try SpoolFile.write(batch.descriptor, batch.bytes, path: path)
            if batch.needsSync { try SpoolFile.sync(batch.descriptor, path: path) }
            state.withLockedValue { $0.fileBytes += batch.bytes.count }
        } catch {
            // Cut off what was half written, so the next records follow whole ones.
            try? SpoolFile.truncate(batch.descriptor, to: batch.sizeBefore, path: path)
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
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
