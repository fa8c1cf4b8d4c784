import ErlangTerm

/// A process addressed by pid or by registered name (the target of a monitor).
public enum ProcessTarget: Sendable, Equatable {
    case pid(Pid)
    case name(Atom)
}

/// Every control message of the distribution protocol (erts `erl_dist_protocol.md`), decoded.
/// Messages that carry a payload (`hasPayload`) are followed by one more term in the frame.
public indirect enum ControlMessage: Sendable, Equatable {
    case link(from: Pid, to: Pid)
    case send(to: Pid)
    case exit(from: Pid, to: Pid, reason: Term)
    case unlink(from: Pid, to: Pid)
    case nodeLink
    case registeredSend(from: Pid, to: Atom)
    case groupLeader(from: Pid, to: Pid)
    case exit2(from: Pid, to: Pid, reason: Term)
    case sendTT(to: Pid, token: Term)
    case exitTT(from: Pid, to: Pid, token: Term, reason: Term)
    case registeredSendTT(from: Pid, to: Atom, token: Term)
    case exit2TT(from: Pid, to: Pid, token: Term, reason: Term)
    case monitor(from: Pid, target: ProcessTarget, reference: Reference)
    case demonitor(from: Pid, target: ProcessTarget, reference: Reference)
    case monitorExit(from: ProcessTarget, to: Pid, reference: Reference, reason: Term)
    case sendSender(from: Pid, to: Pid)
    case sendSenderTT(from: Pid, to: Pid, token: Term)
    case payloadExit(from: Pid, to: Pid)
    case payloadExitTT(from: Pid, to: Pid, token: Term)
    case payloadExit2(from: Pid, to: Pid)
    case payloadExit2TT(from: Pid, to: Pid, token: Term)
    case payloadMonitorExit(from: ProcessTarget, to: Pid, reference: Reference)
    case spawnRequest(
        request: Reference, from: Pid, groupLeader: Pid, module: Atom, function: Atom, arity: Int, options: Term)
    case spawnRequestTT(
        request: Reference, from: Pid, groupLeader: Pid, module: Atom, function: Atom, arity: Int, options: Term,
        token: Term)
    case spawnReply(request: Reference, to: Pid, flags: Int, result: Term)
    case spawnReplyTT(request: Reference, to: Pid, flags: Int, result: Term, token: Term)
    case aliasSend(from: Pid, alias: Reference)
    case aliasSendTT(from: Pid, alias: Reference, token: Term)
    case unlinkID(id: Term, from: Pid, to: Pid)
    case unlinkIDAck(id: Term, from: Pid, to: Pid)

    /// The operation number, the tuple's first element.
    public var operation: Int {
        switch self {
        case .link: 1
        case .send: 2
        case .exit: 3
        case .unlink: 4
        case .nodeLink: 5
        case .registeredSend: 6
        case .groupLeader: 7
        case .exit2: 8
        case .sendTT: 12
        case .exitTT: 13
        case .registeredSendTT: 16
        case .exit2TT: 18
        case .monitor: 19
        case .demonitor: 20
        case .monitorExit: 21
        case .sendSender: 22
        case .sendSenderTT: 23
        case .payloadExit: 24
        case .payloadExitTT: 25
        case .payloadExit2: 26
        case .payloadExit2TT: 27
        case .payloadMonitorExit: 28
        case .spawnRequest: 29
        case .spawnRequestTT: 30
        case .spawnReply: 31
        case .spawnReplyTT: 32
        case .aliasSend: 33
        case .aliasSendTT: 34
        case .unlinkID: 35
        case .unlinkIDAck: 36
        }
    }

    /// Whether a payload term follows this control message in its frame.
    public var hasPayload: Bool {
        switch operation {
        case 2, 6, 12, 16, 22...30, 33, 34: true
        default: false
        }
    }
}
