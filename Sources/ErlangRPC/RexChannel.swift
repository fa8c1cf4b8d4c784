import ErlangDistribution
import ErlangTerm
import Synchronization

/// Calls to one node's `rex` server from one process of ours, one call at a time, as
/// `rpc:call/5` on an older node makes them: `{'$gen_call', {From, Ref}, {call, M, F, A,
/// GroupLeader}}` to the registered name `rex`, answered with `{Ref, Reply}`.
///
/// A call that timed out stays outstanding until its late answer arrives: meanwhile no other call
/// is sent, so a slow or frozen node never has more than one of ours queued. Nothing is loaded
/// into the node; only functions it already has are applied.
public final class RexChannel: Sendable {
    public let peer: String
    private let node: LocalNode
    private let mailbox: Mailbox
    private let state = Mutex<State>(State())

    private struct State {
        /// The call sent and not answered yet, with where its answer goes.
        var pending: (reference: Reference, slot: ReplySlot)?
        var closed = false
    }

    public init(node: LocalNode, peer: String) {
        self.node = node
        self.peer = peer
        mailbox = node.spawn()
    }

    /// Reads the answers until `close()`: run it in a task of its own for as long as the channel
    /// is used (a call waits for its answer through it).
    public func run() async {
        for await delivery in mailbox.messages { deliver(delivery.message.term()) }
        let pending = state.withLock { state in
            state.closed = true
            defer { state.pending = nil }
            return state.pending
        }
        pending?.slot.fulfil(.closed)
    }

    /// Ends the channel's process; a call waiting gets `.closed`, and `run()` returns.
    public func close() { mailbox.exit() }

    /// Whether a call is outstanding (sent, not answered yet).
    public var isBusy: Bool { state.withLock { $0.pending != nil } }

    /// Applies `module:function(arguments...)` on the node and waits at most `timeout` for the answer.
    public func call(_ module: Atom, _ function: Atom, _ arguments: [Term] = [], timeout: Duration) async -> RexReply {
        let reference = node.makeReference()
        let slot = ReplySlot()
        let refusal = state.withLock { state -> RexReply? in
            if state.closed { return .closed }
            if state.pending != nil { return .outstanding }
            state.pending = (reference, slot)
            return nil
        }
        if let refusal { return refusal }
        let request = Term.tuple([
            .atom("$gen_call"), .tuple([.pid(mailbox.pid), .reference(reference)]),
            .tuple([.atom("call"), .atom(module), .atom(function), .list(arguments), .pid(mailbox.pid)]),
        ])
        guard node.send(request, toName: "rex", on: peer, from: mailbox.pid) else {
            state.withLock { state in
                if state.pending?.reference == reference { state.pending = nil }
            }
            return .notConnected
        }
        return await withTaskGroup(of: Void.self) { timer in
            // Cancelled (the answer came first), the sleep ends at once and the fulfil is ignored;
            // if our own task is cancelled, the timer ends the wait the same way.
            timer.addTask {
                try? await Task.sleep(for: timeout)
                slot.fulfil(.timeout)
            }
            let reply = await slot.value()
            timer.cancelAll()
            return reply
        }
    }

    /// `{Ref, Reply}` for the pending call answers it (however late); anything else is dropped.
    private func deliver(_ message: Term) {
        guard case .tuple(let fields) = message, fields.count == 2, case .reference(let reference) = fields[0] else {
            return
        }
        let slot = state.withLock { state -> ReplySlot? in
            guard let pending = state.pending, pending.reference == reference else { return nil }
            state.pending = nil
            return pending.slot
        }
        guard let slot else { return }
        if case .tuple(let badrpc) = fields[1], badrpc.count == 2, badrpc[0] == .atom("badrpc") {
            slot.fulfil(.badrpc(badrpc[1]))
        } else {
            slot.fulfil(.value(fields[1]))
        }
    }
}

/// Where one call's outcome goes: the first of the answer, the timer and the channel's end wins.
final class ReplySlot: Sendable {
    private let state = Mutex<(reply: RexReply?, waiter: CheckedContinuation<RexReply, Never>?)>((nil, nil))

    func fulfil(_ reply: RexReply) {
        let waiter = state.withLock { state -> CheckedContinuation<RexReply, Never>? in
            guard state.reply == nil else { return nil }
            state.reply = reply
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: reply)
    }

    func value() async -> RexReply {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> RexReply? in
                if let reply = state.reply { return reply }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
