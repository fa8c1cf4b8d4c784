import ErlangTerm
import Foundation
import GaterMessages
import Logging
import ServiceLifecycle
import Synchronization
import WebhookForwarder

/// Reads messages from a file or standard input and hands them to the forwarder, one at a time.
/// Each line becomes the term a publisher would broadcast and goes through the real
/// MessageIntake (decoding, counters) before the forwarder, as in the exporter.
struct MessageFeeder: Service {
    let forwarder: WebhookForwarder
    let intake: MessageIntake
    /// A file of messages, or nil for standard input.
    let input: String?
    /// Whether each escalation waits for the spool's sync (`durably: true`), or is fed as the
    /// exporter's ingest path does and reported `spooled` by a barrier behind it.
    let waitsForSync: Bool

    func run() async throws {
        // Services run once the group traps SIGTERM: from here a SIGTERM is a graceful shutdown.
        say("running")
        let queued = QueuedTally()
        let reporter = waitsForSync ? nil : Task { await reportSpooled(queued) }
        var accepted = 0
        for await line in Self.lines(of: input) {
            guard let input = try? JSONDecoder().decode(HarnessInput.self, from: Data(line.utf8)),
                let message = decode(input)
            else {
                say("outcome unreadable")
                continue
            }
            let outcome = await forwarder.receive(message, from: "harness@localhost", durably: waitsForSync)
            switch (outcome, message) {
            case (.spooled, .alertEscalation):
                accepted += 1
                say("accepted \(accepted)")
            case (.queued, .alertEscalation): queued.add { count in say("queued \(count)") }
            default: say("outcome \(outcome)")
            }
        }
        queued.finish()
        await reporter?.value
    }

    /// `spooled N` once the first N queued escalations are on disk: each barrier covers what was
    /// queued before it started.
    private func reportSpooled(_ queued: QueuedTally) async {
        var reported = 0
        while true {
            let (count, finished) = queued.snapshot
            guard count > reported else {
                if finished { return }
                try? await Task.sleep(for: .milliseconds(5))
                continue
            }
            guard await forwarder.waitUntilSpooled() else {
                say("not spooled: a spool write failed after \(reported)")
                return
            }
            say("spooled \(count)")
            reported = count
        }
    }

    private func decode(_ input: HarnessInput) -> GaterMessage? {
        guard let inner = input.term else { return nil }
        let bytes = TermEncoder().encode(.tuple([.atom("unsecured_message"), inner]))
        guard let view = try? TermView(parsing: bytes) else { return nil }
        return intake.receive(
            peer: "harness@localhost", bus: "ex_esdb_alerts", topic: "escalations", view: view, message: view.root)?
            .message
    }

    /// Lines of the file, or of standard input read on a thread of their own (reading blocks).
    private static func lines(of path: String?) -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        if let path {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") { continuation.yield(String(line)) }
            continuation.finish()
            return stream
        }
        Thread {
            while let line = readLine() { continuation.yield(line) }
            continuation.finish()
        }.start()
        return stream
    }
}

/// The escalations fed without waiting, shared with the task that reports them spooled.
final class QueuedTally: Sendable {
    private let state = Mutex<(count: Int, finished: Bool)>((0, false))

    /// Counts one more and says so while no reporter can read the count: a `spooled N` line then
    /// always comes after the `queued N` line it covers.
    func add(_ announce: (Int) -> Void) {
        state.withLock { state in
            state.count += 1
            announce(state.count)
        }
    }

    func finish() { state.withLock { $0.finished = true } }

    var snapshot: (count: Int, finished: Bool) { state.withLock { $0 } }
}

/// `pending N` whenever the number of deliveries not yet completed changes, so that a test can
/// wait until everything was delivered before it stops the process.
struct QueueReporter: Service {
    let forwarder: WebhookForwarder

    func run() async throws {
        var last: Int?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let pending = forwarder.queueStatus().reduce(0) { $0 + $1.length }
            if pending != last { say("pending \(pending)") }
            last = pending
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}

struct HarnessInput: Decodable {
    struct Alert: Decodable {
        let alertID: String
        let severity: String
        let category: String
        let title: String
        let description: String
        let node: String

        enum CodingKeys: String, CodingKey {
            case alertID = "alert_id", severity, category, title, description, node
        }
    }
    struct Escalation: Decodable {
        let alertID: String
        let fromLevel: String
        let toLevel: String
        let reason: String
        let contacts: [String]

        enum CodingKeys: String, CodingKey {
            case alertID = "alert_id", fromLevel = "from_level", toLevel = "to_level", reason, contacts
        }
    }
    struct Ack: Decodable {
        let alertID: String
        let by: String

        enum CodingKeys: String, CodingKey {
            case alertID = "alert_id", by
        }
    }

    let alert: Alert?
    let escalation: Escalation?
    let ack: Ack?

    /// The Gater term this line stands for, as a publisher would broadcast it (unsigned).
    var term: Term? {
        func text(_ value: String) -> Term { .binary(Array(value.utf8)) }
        func payload(_ tag: String, _ module: String, _ fields: [(String, Term)]) -> Term {
            let structName = MapEntry(
                .atom("__struct__"), .atom(Atom("Elixir.ExESDBGater.Messages.AlertMessages." + module)))
            return .tuple([.atom(Atom(tag)), .map([structName] + fields.map { MapEntry(.atom(Atom($0.0)), $0.1) })])
        }
        if let alert {
            return payload(
                "system_alert", "SystemAlert",
                [
                    ("alert_id", text(alert.alertID)), ("severity", .atom(Atom(alert.severity))),
                    ("category", .atom(Atom(alert.category))), ("title", text(alert.title)),
                    ("description", text(alert.description)), ("source", .atom("harness")),
                    ("node", .atom(Atom(alert.node))), ("metadata", .map([])), ("requires_ack", .atom("true")),
                    ("timestamp", .atom("nil")),
                ])
        }
        if let escalation {
            return payload(
                "alert_escalated", "AlertEscalation",
                [
                    ("alert_id", text(escalation.alertID)), ("from_level", .atom(Atom(escalation.fromLevel))),
                    ("to_level", .atom(Atom(escalation.toLevel))), ("escalation_reason", text(escalation.reason)),
                    ("escalated_by", .atom("harness")), ("notify_contacts", .list(escalation.contacts.map(text))),
                    ("timestamp", .atom("nil")),
                ])
        }
        if let ack {
            return payload(
                "alert_acknowledged", "AlertAck",
                [
                    ("alert_id", text(ack.alertID)), ("ack_by", text(ack.by)), ("ack_note", .atom("nil")),
                    ("resolution", .atom("nil")), ("ack_timestamp", .atom("nil")), ("timestamp", .atom("nil")),
                ])
        }
        return nil
    }
}
