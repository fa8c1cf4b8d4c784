import Dispatch
import Foundation

/// Why and since when the spool file lacks what memory holds, and when to try again.
struct SpoolOutage {
    static let firstRetryDelay = 1.0
    static let longestRetryDelay = 16.0

    let reason: SpoolError
    let since: Date
    var retryDelay = SpoolOutage.firstRetryDelay
    var retryAt = DispatchTime.now() + SpoolOutage.firstRetryDelay
    var retryScheduled = false
    /// Whether marking records done failed too (said once).
    var marksFailed = false

    init(reason: SpoolError) {
        self.reason = reason
        since = Date()
    }

    mutating func backOff() {
        retryDelay = min(retryDelay * 2, Self.longestRetryDelay)
        retryAt = DispatchTime.now() + retryDelay
    }
}

/// A spool that cannot be written (a full disk, an I/O error). What a failed write held stays in
/// memory: its entries are sent from there, and a completion overwrites the magic of its entry's
/// record in place (`SpoolFile.markDone`, no new blocks), so that a restart does not send what
/// was delivered again. The file is rewritten from memory once it can be: at the next batch after
/// a backoff (1 s doubling to 16 s), on a timer when no batch comes, and at close. The condition
/// and its end are logged once each; every failed write counts in
/// `exesdb_exporter_webhook_spool_write_failures_total`.
extension DeliverySpool {
    func beginOutage(_ reason: SpoolError) {
        metrics.writeFailures.increment()
        let first = state.withLockedValue { state in
            guard state.outage == nil else { return false }
            state.outage = SpoolOutage(reason: reason)
            return true
        }
        guard first else { return }
        logger.error(
            "cannot write webhook deliveries to the spool; they are sent from memory only, and a crash before they are delivered loses them. Deliveries completed meanwhile are marked done in the spool, so a restart does not send them again. The spool is rewritten from memory once it can be (free space in its directory); that is logged too: \(reason)",
            metadata: ["path": "\(path)"])
    }

    /// Rewrites the file from memory; on success the outage is over.
    func repair(_ live: [SpoolEntry], _ batch: Batch) -> Result<Void, SpoolError> {
        do {
            try rewrite(live)
        } catch {
            metrics.writeFailures.increment()
            let reason = state.withLockedValue { state in
                state.outage?.backOff()
                return state.outage?.reason ?? SpoolError("\(error)")
            }
            markDone(batch.completions)
            return batch.entries.isEmpty ? .success(()) : .failure(reason)
        }
        let outage = state.withLockedValue { state in
            defer { state.outage = nil }
            return state.outage
        }
        let seconds = outage.map { Date().timeIntervalSince($0.since) } ?? 0
        logger.info(
            "the webhook spool is writable again: every pending delivery is on disk again",
            metadata: [
                "path": "\(path)", "pending_entries": "\(live.count)",
                "unwritable_seconds": "\(String(format: "%.1f", seconds))",
            ])
        return .success(())
    }

    /// Not yet time to try the rewrite again: the batch's entries stay in memory only, its
    /// completions mark their records done.
    func hold(_ batch: Batch) -> Result<Void, SpoolError> {
        markDone(batch.completions)
        let reason = state.withLockedValue { $0.outage?.reason } ?? SpoolError("the spool cannot be written")
        return batch.entries.isEmpty ? .success(()) : .failure(reason)
    }

    /// Marks the records of completed entries done in place, where they are in the file.
    func markDone(_ completions: [UInt64]) {
        let offsets = state.withLockedValue { state in
            completions.compactMap { state.offsets.removeValue(forKey: $0) }
        }
        guard !offsets.isEmpty else { return }
        do {
            try SpoolFile.markDone(path, at: offsets)
        } catch {
            metrics.writeFailures.increment()
            let first = state.withLockedValue { state in
                defer { state.outage?.marksFailed = true }
                return state.outage?.marksFailed == false
            }
            guard first else { return }
            logger.error(
                "cannot mark delivered webhooks done in the spool either: unless the spool can be rewritten before, a restart sends them again (with the same idempotency keys): \(error)",
                metadata: ["path": "\(path)"])
        }
    }

    /// While the spool cannot be written and no batch comes, tries again when the backoff ends.
    func scheduleRetryIfUnwritable() {
        let deadline = state.withLockedValue { state -> DispatchTime? in
            guard !state.closed, var outage = state.outage, !outage.retryScheduled else { return nil }
            outage.retryScheduled = true
            state.outage = outage
            return outage.retryAt
        }
        guard let deadline else { return }
        writer.asyncAfter(deadline: deadline) {
            let open = self.state.withLockedValue { state in
                state.outage?.retryScheduled = false
                return !state.closed
            }
            if open { self.flush() }
        }
    }

    /// At close, after the last try: what is lost when the spool still cannot be written.
    func sayIfStillUnwritable() {
        let lost = state.withLockedValue { state -> Int? in
            guard state.outage != nil else { return nil }
            return state.live.values.count { entry in
                if case .delivery = entry { state.offsets[entry.id] == nil } else { false }
            }
        }
        guard let lost else { return }
        logger.error(
            "the webhook spool is still not writable at shutdown: pending deliveries held in memory only are lost; deliveries completed meanwhile were marked done",
            metadata: ["path": "\(path)", "lost_deliveries": "\(lost)"])
    }
}
