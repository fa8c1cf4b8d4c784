import ErlangTerm

/// Why a control message could not be read; the frame itself was sound.
public struct MalformedControlMessage: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: Int?
    public let detail: String
    public var description: String {
        "malformed control message\(operation.map { " \($0)" } ?? ""): \(detail)"
    }
}

extension ControlMessage {
    /// Reads the control tuple `term` (the whole view by default) of a received frame, straight
    /// from the view: only the fields it keeps are materialized. Unknown operations and wrong
    /// shapes are errors, never traps.
    public init(_ view: TermView, _ term: TermRef? = nil) throws(MalformedControlMessage) {
        var atoms = AtomInterner()
        try self.init(view, term, atoms: &atoms)
    }

    /// Reads a control tuple, its pids' node names through `atoms`, which keeps the names seen
    /// on a connection so that each frame's pids allocate nothing.
    public init(_ view: TermView, _ term: TermRef? = nil, atoms: inout AtomInterner) throws(MalformedControlMessage) {
        let tuple = term ?? view.root
        guard view.kind(of: tuple) == .tuple, let first = view.element(0, of: tuple),
            view.kind(of: first) == .integer || view.kind(of: first) == .bigInteger, let operation = view.int(of: first)
        else {
            throw MalformedControlMessage(operation: nil, detail: "not a tuple starting with an integer")
        }
        if operation == 22, let message = Self.sendSender(view, tuple, atoms: &atoms) {
            self = message
            return
        }
        var reader = FieldReader(view: view, tuple: tuple, operation: operation, atoms: atoms)
        defer { atoms = reader.atoms }
        self = try Self.decode(operation, &reader)
        guard reader.consumedAll else {
            throw MalformedControlMessage(
                operation: operation, detail: "\(view.count(of: tuple)) elements is too many")
        }
    }

    /// SEND_SENDER `{22, From, To}`, which carries every broadcast, read without the general
    /// field reader; nil when it has another shape (the general path then says what is wrong).
    @inline(__always)
    private static func sendSender(_ view: TermView, _ tuple: TermRef, atoms: inout AtomInterner) -> Self? {
        guard view.count(of: tuple) == 3, let fromRef = view.element(1, of: tuple),
            let from = view.pid(of: fromRef, atoms: &atoms), let toRef = view.element(2, of: tuple),
            let to = view.pid(of: toRef, atoms: &atoms)
        else { return nil }
        return .sendSender(from: from, to: to)
    }

    /// SEND_SENDER `{22, From, To}` read straight from `frame` at `offset` (its version byte)
    /// when both pids name nodes `atoms` holds, with the offset where the payload starts: the
    /// control message of every broadcast, without a tape. Nil for anything else, which the
    /// general decoder then reads.
    public static func sendSender(
        inFrame frame: [UInt8], at offset: Int, atoms: AtomInterner
    ) -> (message: ControlMessage, payloadOffset: Int)? {
        frame.withUnsafeBufferPointer { bytes in
            SendSenderHead(bytes, at: offset, atoms: atoms).map {
                (.sendSender(from: $0.from, to: $0.to), $0.payloadOffset)
            }
        }
    }

    /// Reads a control tuple given as an owned term.
    /// Reads a control tuple given as an owned term.
    public init(_ term: Term) throws(MalformedControlMessage) {
        let view: TermView
        do {
            view = try TermView(parsing: term.encoded())
        } catch {
            throw MalformedControlMessage(operation: nil, detail: "not an encodable term: \(error)")
        }
        try self.init(view)
    }

    private static func decode(_ operation: Int, _ r: inout FieldReader) throws(MalformedControlMessage) -> Self {
        switch operation {
        case 1: return .link(from: try r.pid(), to: try r.pid())
        case 2:
            _ = try r.any()
            return .send(to: try r.pid())
        case 3: return .exit(from: try r.pid(), to: try r.pid(), reason: try r.any())
        case 4: return .unlink(from: try r.pid(), to: try r.pid())
        case 5: return .nodeLink
        case 6:
            let from = try r.pid()
            _ = try r.any()
            return .registeredSend(from: from, to: try r.atom())
        case 7: return .groupLeader(from: try r.pid(), to: try r.pid())
        case 8: return .exit2(from: try r.pid(), to: try r.pid(), reason: try r.any())
        case 12:
            _ = try r.any()
            return .sendTT(to: try r.pid(), token: try r.any())
        case 13: return .exitTT(from: try r.pid(), to: try r.pid(), token: try r.any(), reason: try r.any())
        case 16:
            let from = try r.pid()
            _ = try r.any()
            return .registeredSendTT(from: from, to: try r.atom(), token: try r.any())
        case 18: return .exit2TT(from: try r.pid(), to: try r.pid(), token: try r.any(), reason: try r.any())
        default: return try decodeMonitorsAndLater(operation, &r)
        }
    }

    private static func decodeMonitorsAndLater(
        _ operation: Int, _ r: inout FieldReader
    ) throws(MalformedControlMessage) -> Self {
        switch operation {
        case 19: return .monitor(from: try r.pid(), target: try r.target(), reference: try r.reference())
        case 20: return .demonitor(from: try r.pid(), target: try r.target(), reference: try r.reference())
        case 21:
            return .monitorExit(
                from: try r.target(), to: try r.pid(), reference: try r.reference(), reason: try r.any())
        case 22: return .sendSender(from: try r.pid(), to: try r.pid())
        case 23: return .sendSenderTT(from: try r.pid(), to: try r.pid(), token: try r.any())
        case 24: return .payloadExit(from: try r.pid(), to: try r.pid())
        case 25: return .payloadExitTT(from: try r.pid(), to: try r.pid(), token: try r.any())
        case 26: return .payloadExit2(from: try r.pid(), to: try r.pid())
        case 27: return .payloadExit2TT(from: try r.pid(), to: try r.pid(), token: try r.any())
        case 28: return .payloadMonitorExit(from: try r.target(), to: try r.pid(), reference: try r.reference())
        case 29, 30:
            let request = try r.reference()
            let from = try r.pid()
            let leader = try r.pid()
            let (module, function, arity) = try r.mfa()
            let options = try r.any()
            if operation == 29 {
                return .spawnRequest(
                    request: request, from: from, groupLeader: leader, module: module, function: function,
                    arity: arity, options: options)
            }
            return .spawnRequestTT(
                request: request, from: from, groupLeader: leader, module: module, function: function, arity: arity,
                options: options, token: try r.any())
        case 31:
            return .spawnReply(request: try r.reference(), to: try r.pid(), flags: try r.int(), result: try r.any())
        case 32:
            return .spawnReplyTT(
                request: try r.reference(), to: try r.pid(), flags: try r.int(), result: try r.any(), token: try r.any()
            )
        case 33: return .aliasSend(from: try r.pid(), alias: try r.reference())
        case 34: return .aliasSendTT(from: try r.pid(), alias: try r.reference(), token: try r.any())
        case 35: return .unlinkID(id: try r.any(), from: try r.pid(), to: try r.pid())
        case 36: return .unlinkIDAck(id: try r.any(), from: try r.pid(), to: try r.pid())
        default: throw MalformedControlMessage(operation: operation, detail: "unknown operation")
        }
    }

    /// The control tuple, as erts `erl_dist_protocol.md` lays out each operation: what `init`
    /// reads back to this same message (the `Unused` fields are the empty atom).
    public var term: Term {
        switch self {
        case .link(let from, let to): .tuple([1, .pid(from), .pid(to)])
        case .send(let to): .tuple([2, .atom(""), .pid(to)])
        case .exit(let from, let to, let reason): .tuple([3, .pid(from), .pid(to), reason])
        case .unlink(let from, let to): .tuple([4, .pid(from), .pid(to)])
        case .nodeLink: .tuple([5])
        case .registeredSend(let from, let to): .tuple([6, .pid(from), .atom(""), .atom(to)])
        case .groupLeader(let from, let to): .tuple([7, .pid(from), .pid(to)])
        case .exit2(let from, let to, let reason): .tuple([8, .pid(from), .pid(to), reason])
        case .sendTT(let to, let token): .tuple([12, .atom(""), .pid(to), token])
        case .exitTT(let from, let to, let token, let reason): .tuple([13, .pid(from), .pid(to), token, reason])
        case .registeredSendTT(let from, let to, let token): .tuple([16, .pid(from), .atom(""), .atom(to), token])
        case .exit2TT(let from, let to, let token, let reason): .tuple([18, .pid(from), .pid(to), token, reason])
        case .monitor(let from, let target, let reference):
            .tuple([19, .pid(from), target.term, .reference(reference)])
        case .demonitor(let from, let target, let reference):
            .tuple([20, .pid(from), target.term, .reference(reference)])
        case .monitorExit(let from, let to, let reference, let reason):
            .tuple([21, from.term, .pid(to), .reference(reference), reason])
        case .sendSender(let from, let to): .tuple([22, .pid(from), .pid(to)])
        case .sendSenderTT(let from, let to, let token): .tuple([23, .pid(from), .pid(to), token])
        case .payloadExit(let from, let to): .tuple([24, .pid(from), .pid(to)])
        case .payloadExitTT(let from, let to, let token): .tuple([25, .pid(from), .pid(to), token])
        case .payloadExit2(let from, let to): .tuple([26, .pid(from), .pid(to)])
        case .payloadExit2TT(let from, let to, let token): .tuple([27, .pid(from), .pid(to), token])
        case .payloadMonitorExit(let from, let to, let reference):
            .tuple([28, from.term, .pid(to), .reference(reference)])
        case .spawnRequest(let request, let from, let leader, let module, let function, let arity, let options):
            .tuple([29, .reference(request), .pid(from), .pid(leader), Self.mfa(module, function, arity), options])
        case .spawnRequestTT(
            let request, let from, let leader, let module, let function, let arity, let options, let token):
            .tuple([
                30, .reference(request), .pid(from), .pid(leader), Self.mfa(module, function, arity), options, token,
            ])
        case .spawnReply(let request, let to, let flags, let result):
            .tuple([31, .reference(request), .pid(to), .integer(flags), result])
        case .spawnReplyTT(let request, let to, let flags, let result, let token):
            .tuple([32, .reference(request), .pid(to), .integer(flags), result, token])
        case .aliasSend(let from, let alias): .tuple([33, .pid(from), .reference(alias)])
        case .aliasSendTT(let from, let alias, let token): .tuple([34, .pid(from), .reference(alias), token])
        case .unlinkID(let id, let from, let to): .tuple([35, id, .pid(from), .pid(to)])
        case .unlinkIDAck(let id, let from, let to): .tuple([36, id, .pid(from), .pid(to)])
        }
    }

    private static func mfa(_ module: Atom, _ function: Atom, _ arity: Int) -> Term {
        .tuple([.atom(module), .atom(function), .integer(arity)])
    }
}

extension ProcessTarget {
    var term: Term {
        switch self {
        case .pid(let pid): return .pid(pid)
        case .name(let atom): return .atom(atom)
        }
    }
}

/// Typed, bounds-checked access to a control tuple's fields in order, read from the view.
private struct FieldReader {
    let view: TermView
    let operation: Int
    var atoms: AtomInterner
    private var fields: TermView.Children
    private let count: Int
    private var next = 1

    init(view: TermView, tuple: TermRef, operation: Int, atoms: AtomInterner) {
        self.view = view
        self.operation = operation
        self.atoms = atoms
        self.fields = view.children(of: tuple)
        self.count = view.count(of: tuple)
        _ = fields.next()
    }

    var consumedAll: Bool { next == count }

    private mutating func field() throws(MalformedControlMessage) -> TermRef {
        guard next < count, let field = fields.next() else {
            throw MalformedControlMessage(operation: operation, detail: "only \(count) elements")
        }
        next += 1
        return field
    }

    mutating func any() throws(MalformedControlMessage) -> Term {
        view.term(try field())
    }

    mutating func pid() throws(MalformedControlMessage) -> Pid {
        let ref = try field()
        guard let pid = view.pid(of: ref, atoms: &atoms) else { throw wrong("a pid") }
        return pid
    }

    mutating func atom() throws(MalformedControlMessage) -> Atom {
        let ref = try field()
        guard let name = view.atomName(of: ref) else { throw wrong("an atom") }
        return Atom(name)
    }

    mutating func int() throws(MalformedControlMessage) -> Int {
        guard case .integer(let value) = try any() else { throw wrong("an integer") }
        return value
    }

    mutating func reference() throws(MalformedControlMessage) -> Reference {
        let ref = try field()
        guard view.kind(of: ref) == .reference, case .reference(let reference) = view.term(ref) else {
            throw wrong("a reference")
        }
        return reference
    }

    mutating func target() throws(MalformedControlMessage) -> ProcessTarget {
        switch try any() {
        case .pid(let pid): return .pid(pid)
        case .atom(let atom): return .name(atom)
        default: throw wrong("a pid or a name")
        }
    }

    mutating func mfa() throws(MalformedControlMessage) -> (Atom, Atom, Int) {
        guard case .tuple(let items) = try any(), items.count == 3, case .atom(let module) = items[0],
            case .atom(let function) = items[1], case .integer(let arity) = items[2]
        else { throw wrong("{Module, Function, Arity}") }
        return (module, function, arity)
    }

    private func wrong(_ expected: String) -> MalformedControlMessage {
        MalformedControlMessage(operation: operation, detail: "element \(next) is not \(expected)")
    }
}

/// The head of a SEND_SENDER frame, `131 {22, From, To}`, read in place without building a
/// `ControlMessage` (whose payloads are boxed): what the ingest path needs of every broadcast.
public struct SendSenderHead {
    public let from: Pid
    public let to: Pid
    /// Where the payload's version byte is.
    public let payloadOffset: Int

    /// Nil unless `bytes[offset...]` starts with that tuple in the BEAM's spelling and both pids
    /// name nodes `atoms` holds (the general decoder then reads it).
    @inline(__always)
    public init?(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, atoms: AtomInterner) {
        // 131, SMALL_TUPLE_EXT of arity 3, SMALL_INTEGER_EXT 22.
        guard offset >= 0, offset + 5 <= bytes.count, bytes[offset] == ExternalTag.version,
            bytes[offset + 1] == ExternalTag.smallTuple, bytes[offset + 2] == 3,
            bytes[offset + 3] == ExternalTag.smallInteger, bytes[offset + 4] == 22,
            let from = atoms.knownPid(in: bytes, at: offset + 5), let to = atoms.knownPid(in: bytes, at: from.end)
        else { return nil }
        self.from = from.pid
        self.to = to.pid
        payloadOffset = to.end
    }
}
