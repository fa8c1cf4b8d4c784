import ExporterConfiguration
import Foundation
import Logging

/// The pending deliveries of one endpoint and their attempts: at most max_in_flight at once,
/// one at a time per alert and in spool order, and the whole endpoint paused with backoff after
/// a failure that is worth retrying (when one delivery cannot get through, the next would not
/// either, and nothing burns its attempts meanwhile).
actor EndpointQueue {
    private let route: EndpointRoute
    private let transport: CurlTransport
    private let spool: DeliverySpool
    private let metrics: EndpointMetrics
    private let board: QueueBoard
    private let logger: Logger
    private let backoff: RetryBackoff

    private var pending: [UInt64: Pending] = [:]
    /// Ids in spool order; `head` skips the completed ones at the front.
    private var order: [UInt64] = []
    private var head = 0
    private var inFlight = 0
    private var busyAlerts: Set<String> = []
    private var pausedUntil: ContinuousClock.Instant?
    private var consecutiveFailures = 0
    /// Whether the endpoint is failing: said once when it starts and once when it recovers, not
    /// for every delivery that was in flight when it went down.
    private var failing = false
    private var running = false
    private var wakeUp: (task: Task<Void, Never>, at: ContinuousClock.Instant)?

    private struct Pending {
        let delivery: SpooledDelivery
        var attempts = 0
        var inFlight = false
        var lastError = ""
    }

    init(
        route: EndpointRoute, transport: CurlTransport, spool: DeliverySpool, metrics: EndpointMetrics,
        board: QueueBoard, logger: Logger, recovered: [SpooledDelivery]
    ) {
        self.route = route
        self.transport = transport
        self.spool = spool
        self.metrics = metrics
        self.board = board
        self.backoff = RetryBackoff(minimum: route.configuration.minBackoff, maximum: route.configuration.maxBackoff)
        var logger = logger
        logger[metadataKey: "endpoint"] = "\(route.name)"
        self.logger = logger
        for delivery in recovered {
            pending[delivery.id] = Pending(delivery: delivery)
            order.append(delivery.id)
        }
        board.update(route.name, length: pending.count, oldestCreatedAt: recovered.first?.createdAt)
    }

    /// Takes new deliveries, in id order even when concurrent callers hand them over out of order.
    func add(_ deliveries: [SpooledDelivery]) {
        for delivery in deliveries {
            pending[delivery.id] = Pending(delivery: delivery)
            var index = order.count
            while index > head, order[index - 1] > delivery.id { index -= 1 }
            order.insert(delivery.id, at: index)
        }
        publishStatus()
        pump()
    }

    func start() {
        running = true
        pump()
    }

    /// Starts no more attempts; those in flight end as `interrupted` when the transport stops,
    /// and everything stays in the spool.
    func stop() {
        running = false
        wakeUp?.task.cancel()
        wakeUp = nil
    }

    // MARK: - Scheduling

    private func pump() {
        guard running else { return }
        dropExpired()
        if let pausedUntil, pausedUntil > .now {
            schedule(at: pausedUntil)
            return
        }
        pausedUntil = nil
        var seenAlerts: Set<String> = []
        var index = head
        while inFlight < route.configuration.maxInFlight, index < order.count {
            let id = order[index]
            index += 1
            guard let entry = pending[id] else { continue }
            // An earlier delivery of the same alert goes first.
            let alert = entry.delivery.alertID
            guard !entry.inFlight, !busyAlerts.contains(alert), seenAlerts.insert(alert).inserted else {
                seenAlerts.insert(alert)
                continue
            }
            attempt(id)
        }
        if let oldest = oldestPending() {
            let remaining = oldest.createdAt + seconds(route.configuration.maxAge) - Date().timeIntervalSince1970
            schedule(at: .now + .milliseconds(Int64(max(remaining, 0) * 1000) + 1))
        }
    }

    private func attempt(_ id: UInt64) {
        guard var entry = pending[id] else { return }
        entry.inFlight = true
        pending[id] = entry
        inFlight += 1
        busyAlerts.insert(entry.delivery.alertID)
        let request = route.request(for: entry.delivery)
        let transport = transport
        Task { [weak self] in
            let result = await transport.send(request)
            await self?.finished(id, result)
        }
    }

    private func finished(_ id: UInt64, _ result: TransportResult) {
        guard var entry = pending[id] else { return }
        inFlight -= 1
        busyAlerts.remove(entry.delivery.alertID)
        entry.inFlight = false
        let verdict = AttemptVerdict(result.outcome)
        if verdict != .interrupted {
            entry.attempts += 1
            metrics.recordAttempt(seconds: result.seconds)
        }
        pending[id] = entry
        switch verdict {
        case .delivered: delivered(entry)
        case .retry(let reason, let notBefore): retry(id, reason: reason, notBefore: notBefore)
        case .refused(let reason):
            logger.error(
                "webhook endpoint refused a delivery; it is not retried: \(reason)",
                metadata: metadata(entry, ["origin": "\(route.origin)"]))
            complete(entry, .failed)
        case .interrupted: break
        }
        pump()
    }

    private func delivered(_ entry: Pending) {
        if failing {
            logger.info("webhook endpoint recovered", metadata: ["origin": "\(route.origin)"])
        }
        failing = false
        consecutiveFailures = 0
        complete(entry, .delivered)
    }

    private func retry(_ id: UInt64, reason: String, notBefore: Duration?) {
        guard var entry = pending[id] else { return }
        entry.lastError = reason
        pending[id] = entry
        let limit = route.configuration.maxAttempts
        if limit > 0, entry.attempts >= limit {
            drop(entry, because: "after \(entry.attempts) attempts (max_attempts)")
            return
        }
        metrics.count(.retried)
        // Attempts that were in flight together fail together: count them as one failure.
        if pausedUntil == nil || pausedUntil.map({ $0 <= .now }) == true { consecutiveFailures += 1 }
        let delay = backoff.delay(failures: consecutiveFailures, notBefore: notBefore)
        pausedUntil = max(pausedUntil ?? .now, .now + delay)
        let startsFailing = !failing
        failing = true
        logger.log(
            level: startsFailing ? .warning : .debug,
            "webhook delivery failed; the endpoint is retried with backoff: \(reason)",
            metadata: metadata(
                entry, ["origin": "\(route.origin)", "retry_in": "\(delay)", "attempts": "\(entry.attempts)"]))
    }

    /// Drops, from the front, deliveries older than max_age that are not in flight.
    private func dropExpired() {
        let limit = Date().timeIntervalSince1970 - seconds(route.configuration.maxAge)
        while let oldest = oldestPending(), oldest.createdAt < limit, let entry = pending[oldest.id], !entry.inFlight {
            drop(entry, because: "older than max_age (\(PrometheusDuration.format(route.configuration.maxAge)))")
        }
    }

    private func drop(_ entry: Pending, because why: String) {
        let last = entry.lastError.isEmpty ? "" : "; last error: \(entry.lastError)"
        logger.error(
            "webhook delivery dropped \(why)\(last)",
            metadata: metadata(entry, ["origin": "\(route.origin)", "attempts": "\(entry.attempts)"]))
        complete(entry, .dropped)
    }

    private func complete(_ entry: Pending, _ outcome: DeliveryOutcome) {
        pending.removeValue(forKey: entry.delivery.id)
        spool.complete(entry.delivery.id)
        publishStatus()
        metrics.count(outcome)
    }

    // MARK: - Bookkeeping

    /// The first pending delivery in spool order (the oldest, as ids grow with time).
    private func oldestPending() -> SpooledDelivery? {
        while head < order.count, pending[order[head]] == nil { head += 1 }
        if head > 1024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
        return head < order.count ? pending[order[head]]?.delivery : nil
    }

    private func publishStatus() {
        let oldest = oldestPending()?.createdAt
        board.update(route.name, length: pending.count, oldestCreatedAt: oldest)
        metrics.recordQueue(
            length: pending.count, oldestAge: oldest.map { max(0, Date().timeIntervalSince1970 - $0) } ?? 0)
    }

    /// Wakes the queue at `instant` (or earlier, if already set for earlier).
    private func schedule(at instant: ContinuousClock.Instant) {
        if let wakeUp, wakeUp.at <= instant, wakeUp.at > .now { return }
        wakeUp?.task.cancel()
        let task = Task { [weak self] in
            try? await Task.sleep(until: instant, clock: .continuous)
            guard !Task.isCancelled else { return }
            await self?.woke()
        }
        wakeUp = (task, instant)
    }

    private func woke() {
        wakeUp = nil
        pump()
    }

    private func metadata(_ entry: Pending, _ extra: Logger.Metadata) -> Logger.Metadata {
        extra.merging(
            ["alert_id": "\(entry.delivery.alertID)", "idempotency_key": "\(entry.delivery.idempotencyKey)"]
        ) { $1 }
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
