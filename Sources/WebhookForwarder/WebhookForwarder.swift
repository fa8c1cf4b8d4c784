import Foundation
import GaterMessages
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Forwards ExESDB alert escalations to the configured webhook endpoints, at least once.
///
/// Feed it every message of the cluster subscription with `receive`: SystemAlerts are kept to
/// join their escalations, each AlertEscalation becomes one delivery per endpoint that wants it
/// (spooled to disk before `receive` returns), and an AlertAck resolves what was escalated.
/// `run` sends until graceful shutdown or cancellation, then stops and keeps the spool for the
/// next start.
public final class WebhookForwarder: Service, Sendable, CustomStringConvertible {
    let routes: [EndpointRoute]
    let queues: [String: EndpointQueue]
    let metrics: [String: EndpointMetrics]
    let spool: DeliverySpool
    private let transport = CurlTransport()
    let join: AlertJoin
    let renderer: PayloadRenderer
    private let board: QueueBoard
    let logger: Logger
    private let factory: any MetricsFactory
    /// What the ingest path submitted, waiting for the forwarder's own task.
    private let inbox = WebhookInbox()
    private let refusedSubmissions = Atomic<Int>(0)

    /// Names only: the configuration holds credentials' file paths and is not logged.
    public var description: String { "WebhookForwarder(endpoints: \(routes.map(\.name)))" }

    /// Reads the secret files, opens the spool and queues what it held. Throws
    /// `WebhookSetupError` or `SpoolError`, naming the key and the path.
    public convenience init(
        configuration: WebhookConfiguration, logger: Logger, metrics factory: any MetricsFactory = MetricsSystem.factory
    ) throws {
        try self.init(
            configuration: configuration, logger: logger, metrics: factory,
            spoolCompactionThreshold: DeliverySpool.defaultCompactionThreshold)
    }

    /// `spoolCompactionThreshold`: the file size from which a spool of mostly completed entries
    /// is rewritten (tests lower it to see compaction with few entries).
    init(
        configuration: WebhookConfiguration, logger: Logger, metrics factory: any MetricsFactory,
        spoolCompactionThreshold: Int
    ) throws {
        routes = try configuration.endpoints.enumerated().map { try EndpointRoute($1, index: $0) }
        do {
            spool = try DeliverySpool(
                directory: configuration.spoolDirectory, compactionThreshold: spoolCompactionThreshold, logger: logger,
                metrics: SpoolMetrics(factory: factory))
        } catch let error as SpoolError {
            throw WebhookSetupError(keyPath: "webhooks.spool_dir", message: error.description)
        }
        // An escalation the join forgets can no longer be resolved: its memo is done with.
        join = AlertJoin(
            ttl: configuration.alertCacheTTL, capacity: configuration.alertCacheSize,
            dedupWindow: configuration.dedupWindow
        ) { [spool] memos in
            for memo in memos { spool.complete(memo) }
        }
        renderer = PayloadRenderer(externalURL: configuration.externalURL)
        board = QueueBoard(endpoints: routes.map(\.name))
        self.logger = logger
        self.factory = factory
        var queues: [String: EndpointQueue] = [:]
        var metrics: [String: EndpointMetrics] = [:]
        let recovered = Dictionary(grouping: spool.recovered, by: \.endpoint)
        for route in routes {
            let endpointMetrics = EndpointMetrics(endpoint: route.name, factory: factory)
            metrics[route.name] = endpointMetrics
            queues[route.name] = EndpointQueue(
                route: route, transport: transport, spool: spool, metrics: endpointMetrics, board: board,
                logger: logger, recovered: recovered[route.name] ?? [])
            if route.configuration.tls.insecureSkipVerify {
                logger.warning(
                    "TLS certificate verification is off for a webhook endpoint (tls.insecure_skip_verify): anyone on the path can read and forge its deliveries",
                    metadata: ["endpoint": "\(route.name)", "origin": "\(route.origin)"])
            }
        }
        self.queues = queues
        self.metrics = metrics
        for delivery in spool.recovered where queues[delivery.endpoint] == nil { dropUnconfigured(delivery) }
        join.restore(spool.recoveredMemos, now: Date().timeIntervalSince1970)
        logger.info(
            "webhook forwarder ready",
            metadata: [
                "endpoints": "\(routes.map(\.name))", "spool": "\(spool.path)",
                "recovered_deliveries": "\(spool.recovered.count)",
            ])
    }

    /// Takes one message of the cluster subscription; `node` is the node that broadcast it.
    ///
    /// The deliveries it makes are on their way at once. With `durably` (the default) it returns
    /// once they are also on disk (`.spooled`): from then on a crash cannot lose them. Without,
    /// it returns as soon as they are queued for the next group commit (`.queued`, not yet
    /// durable), so that a slow disk never holds up the caller; a crash within that sync
    /// (milliseconds, up to a slow disk's fsync) can lose them. `waitUntilSpooled` tells when
    /// they are on disk.
    ///
    /// The exporter's ingest path does not wait (`durably: false`): the Phoenix.PubSub stream
    /// has no acknowledgement to hold back until the sync, so while the ingest waited, the next
    /// messages would sit in the socket buffer and a crash would lose them just the same; waiting
    /// would only slow the ingest and delay every later escalation behind each fsync.
    @discardableResult
    public func receive(_ message: GaterMessage, from node: String, durably: Bool = true) async -> ReceiveOutcome {
        let now = Date().timeIntervalSince1970
        switch message {
        case .systemAlert(let alert):
            join.remember(alert, now: now)
            return .remembered
        case .alertEscalation(let escalation):
            return await escalate(escalation, from: node, now: now, durably: durably)
        case .alertAcknowledgement(let ack):
            return await resolve(ack, now: now, durably: durably)
        case .securityAlert(let alert):
            return await forward(alert, now: now, durably: durably)
        default:
            return .ignored
        }
    }

    /// Takes one message of the cluster subscription without waiting, from the thread that read
    /// it: an alert message is queued, in order, for `run` to process as
    /// `receive(_:from:durably: false)` does; any other kind is ignored at once. False when it was
    /// refused: the forwarder has stopped, or 65,536 alert messages already wait (logged, and an
    /// escalation refused is counted as dropped for every endpoint, a security alert for every
    /// endpoint that takes it).
    @discardableResult
    public func submit(_ message: GaterMessage, from node: String) -> Bool {
        guard message.concernsWebhooks else { return true }
        if inbox.submit(WebhookInbox.Item(message: message, node: node)) { return true }
        refused(message)
        return false
    }

    private func refused(_ message: GaterMessage) {
        if case .alertEscalation = message {
            for endpointMetrics in metrics.values { endpointMetrics.count(.dropped) }
        }
        if case .securityAlert(let alert) = message {
            let facts = SecurityAlertFacts(alert, now: Date().timeIntervalSince1970)
            for route in routes where route.accepts(facts) { metrics[route.name]?.count(.dropped) }
        }
        let count = refusedSubmissions.add(1, ordering: .relaxed).newValue
        // Once, then every 1000th: a flood must not flood the log too.
        guard count == 1 || count % 1000 == 0 else { return }
        logger.error(
            "alert messages are refused: the webhook forwarder is stopped or \(inbox.capacity) wait already (deliveries too slow); escalations refused are counted as dropped",
            metadata: ["refused_so_far": "\(count)", "kind": "\(message.kind.rawValue)"])
    }

    /// Processes what `submit` queued, in order, until the inbox is closed and empty.
    private func processInbox() async {
        for await item in inbox.items {
            inbox.taken()
            await receive(item.message, from: item.node, durably: false)
        }
    }

    /// The endpoints' queues, in configuration order.
    public func queueStatus() -> [WebhookQueueStatus] { board.snapshot() }

    /// Returns once every delivery `receive` took before this call is on disk (written and
    /// synced), which is what `durably: true` waits for, for a caller that did not wait. False
    /// when a spool write failed since the start (logged once, and its recovery once): some
    /// deliveries may then be in memory only.
    public func waitUntilSpooled() async -> Bool { await spool.waitUntilAllDurable() }

    public func run() async throws {
        await start()
        let ticker = Task { await self.tick() }
        let submitted = Task { await self.processInbox() }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await ticker.value
            } onGracefulShutdown: {
                ticker.cancel()
            }
        } onCancel: {
            ticker.cancel()
        }
        // What was submitted before the stop is still spooled (and sent, or kept for the next start).
        inbox.close()
        await submitted.value
        await stop()
    }

    func enqueue(_ deliveries: [SpooledDelivery]) async {
        for (endpoint, group) in Dictionary(grouping: deliveries, by: \.endpoint) {
            if let queue = queues[endpoint] {
                await queue.add(group)
            } else {
                for delivery in group { dropUnconfigured(delivery) }
            }
        }
    }

    /// A spooled delivery whose endpoint was removed from the configuration before the restart.
    private func dropUnconfigured(_ delivery: SpooledDelivery) {
        spool.complete(delivery.id)
        Counter(
            label: WebhookFamilies.deliveries.name,
            dimensions: [("endpoint", delivery.endpoint), ("outcome", DeliveryOutcome.dropped.rawValue)],
            factory: factory
        ).increment()
        logger.error(
            "a spooled webhook delivery is dropped: its endpoint is no longer configured",
            metadata: ["endpoint": "\(delivery.endpoint)", "alert_id": "\(delivery.alertID)"])
    }

    // MARK: - Lifecycle

    private func start() async {
        transport.start()
        for queue in queues.values { await queue.start() }
    }

    private func stop() async {
        for queue in queues.values { await queue.stop() }
        transport.stop()
        await spool.close()
        logger.info("webhook forwarder stopped", metadata: ["pending_deliveries": "\(spool.pendingCount)"])
    }

    /// Every second: the oldest-pending ages grow with time, not only when a queue changes, and
    /// what the join keeps expires (with its memos) even when no new message arrives.
    private func tick() async {
        while !Task.isCancelled {
            for status in board.snapshot() {
                metrics[status.endpoint]?.recordQueue(length: status.length, oldestAge: status.oldestPendingAge ?? 0)
            }
            join.expire(now: Date().timeIntervalSince1970)
            try? await Task.sleep(for: .seconds(1))
        }
    }
}

/// What `receive` did with a message.
public enum ReceiveOutcome: Sendable, Equatable {
    /// Not an alert message, or an acknowledgement of an alert that was not escalated here.
    case ignored
    /// A SystemAlert, kept to join its escalations.
    case remembered
    /// The same escalation (alert and level) within dedup_window: not sent again.
    case duplicate
    /// No endpoint's to_levels or min_severity takes it.
    case filtered
    /// On disk, one delivery per endpoint named.
    case spooled(endpoints: [String])
    /// Written to the spool's buffer and on its way, but not yet on disk: it will be within one
    /// group commit (`receive(_:from:durably: false)`; `waitUntilSpooled` says when; a failure
    /// to write is logged).
    case queued(endpoints: [String])
    /// Being sent from memory only: the spool could not write it (disk full, I/O error; logged).
    case unspooled(endpoints: [String], reason: String)
    /// Not taken: the forwarder has stopped (logged and counted as dropped).
    case refused(String)
}
