import Foundation
import GaterMessages

/// From messages to deliveries: joins, filters, repeats, acknowledgements, and the spool.
extension WebhookForwarder {
    func escalate(
        _ escalation: AlertEscalation, from node: String, now: Double, durably: Bool
    ) async -> ReceiveOutcome {
        guard join.isFirst(escalation, now: now) else {
            logger.debug(
                "repeated escalation within dedup_window: sent once",
                metadata: ["alert_id": "\(escalation.alertID)", "to_level": "\(escalation.toLevel)"])
            return .duplicate
        }
        let alert = join.alert(escalation.alertID, now: now)
        let joined = JoinedEscalation(
            escalation: escalation, alert: alert, node: alert?.node ?? node, startsAt: escalation.timestamp ?? now)
        let targets = routes.filter { $0.accepts(joined) }
        guard !targets.isEmpty else { return .filtered }
        var record = EscalationRecord(endpoints: targets.map(\.name), joined: joined)
        // Encoding strings and numbers as JSON cannot fail.
        let memo = (try? JSONEncoder().encode(record)).map {
            MemoDraft(alertID: escalation.alertID, createdAt: now, payload: Array($0))
        }
        let (outcome, memos) = await spoolAndQueue(
            targets.map { ($0, DeliveryEvent.escalated(joined)) }, memo: memo, now: now, durably: durably)
        if case .refused = outcome {
            join.forget(escalation)
        } else {
            record.memoID = memos.first?.id ?? 0
            join.recordEscalated([record], now: now)
        }
        return outcome
    }

    /// A security alert to every endpoint whose `events` name it: fired once, never resolved.
    func forward(_ alert: SecurityAlert, now: Double, durably: Bool) async -> ReceiveOutcome {
        let facts = SecurityAlertFacts(alert, now: now)
        let targets = routes.filter { $0.accepts(facts) }
        guard !targets.isEmpty else { return .filtered }
        return await spoolAndQueue(
            targets.map { ($0, DeliveryEvent.securityAlert(facts)) }, memo: nil, now: now, durably: durably
        ).outcome
    }

    func resolve(_ ack: AlertAcknowledgement, now: Double, durably: Bool) async -> ReceiveOutcome {
        let records = join.takeEscalated(ack.alertID, now: now)
        guard !records.isEmpty else { return .ignored }
        let endsAt = min(ack.timestamp ?? now, now)
        let events = records.flatMap { record in
            record.endpoints.compactMap { name in
                routes.first { $0.name == name }.map {
                    ($0, DeliveryEvent.resolved(record.joined, ack, endsAt: endsAt))
                }
            }
        }
        let outcome =
            events.isEmpty ? .ignored : await spoolAndQueue(events, memo: nil, now: now, durably: durably).outcome
        if case .refused = outcome {
            join.recordEscalated(records, now: now)  // a later acknowledgement may still resolve them
        } else {
            for record in records { spool.complete(record.memoID) }
        }
        return outcome
    }

    func spoolAndQueue(
        _ events: [(EndpointRoute, DeliveryEvent)], memo: MemoDraft?, now: Double, durably: Bool
    ) async -> (outcome: ReceiveOutcome, memos: [SpoolMemo]) {
        let drafts = events.map { route, event in
            DeliveryDraft(
                endpoint: route.name, idempotencyKey: event.idempotencyKey(endpoint: route.name),
                alertID: event.alertID, createdAt: now,
                body: renderer.body(
                    event, format: route.configuration.format, endpoint: route.name,
                    resolveTimeout: route.configuration.resolveTimeout))
        }
        let buffered: BufferedEntries
        do {
            buffered = try spool.buffer(drafts, memos: memo.map { [$0] } ?? [])
        } catch {
            for draft in drafts { metrics[draft.endpoint]?.count(.dropped) }
            logger.error(
                "webhook deliveries are dropped: \(error)",
                metadata: ["alert_id": "\(drafts.first?.alertID ?? "")", "endpoints": "\(drafts.map(\.endpoint))"])
            return (.refused("\(error)"), [])
        }
        // Sending starts now, beside the sync; the caller is answered once the sync is done.
        await enqueue(buffered.deliveries)
        let endpoints = buffered.deliveries.map(\.endpoint)
        let alertID = drafts.first?.alertID ?? ""
        guard durably else {
            Task { _ = await self.waitUntilDurable(buffered, alertID: alertID) }
            return (.queued(endpoints: endpoints), buffered.memos)
        }
        return (await waitUntilDurable(buffered, alertID: alertID), buffered.memos)
    }

    func waitUntilDurable(_ buffered: BufferedEntries, alertID: String) async -> ReceiveOutcome {
        let endpoints = buffered.deliveries.map(\.endpoint)
        do {
            try await spool.waitUntilDurable(buffered.batch)
            return .spooled(endpoints: endpoints)
        } catch {
            // The spool said so once when it could not be written, and says when it can again.
            logger.debug(
                "webhook deliveries are sent from memory only: the spool cannot be written: \(error)",
                metadata: ["alert_id": "\(alertID)", "endpoints": "\(endpoints)"])
            return .unspooled(endpoints: endpoints, reason: "\(error)")
        }
    }
}
