import ErlangTerm
import Testing

@testable import ErlangDistribution

/// Control messages read straight from the received view: every operation's shape, the
/// SEND_SENDER fast path and its misshapen variants, the same answers through an owned `Term`,
/// and node names shared through the connection's interner.
@Suite struct ControlMessageTests {
    static let local = Pid(node: "exesdb_exporter@host-9", id: 7, serial: 0, creation: 42)
    static let remote = Pid(node: "ex_esdb@host-1", id: 101, serial: 2, creation: 1_700_000_001)
    static let reference = Reference(node: "ex_esdb@host-1", creation: 3, words: [1, 2, 3])

    static let wellFormed: [(Term, ControlMessage)] = [
        (.tuple([1, .pid(remote), .pid(local)]), .link(from: remote, to: local)),
        (.tuple([2, .atom(""), .pid(local)]), .send(to: local)),
        (
            .tuple([3, .pid(remote), .pid(local), .atom("normal")]),
            .exit(from: remote, to: local, reason: .atom("normal"))
        ),
        (.tuple([5]), .nodeLink),
        (.tuple([6, .pid(remote), .atom(""), .atom("rex")]), .registeredSend(from: remote, to: "rex")),
        (.tuple([12, .atom(""), .pid(local), 9]), .sendTT(to: local, token: 9)),
        (
            .tuple([19, .pid(remote), .atom("scope"), .reference(reference)]),
            .monitor(from: remote, target: .name("scope"), reference: reference)
        ),
        (
            .tuple([20, .pid(remote), .pid(local), .reference(reference)]),
            .demonitor(from: remote, target: .pid(local), reference: reference)
        ),
        (.tuple([22, .pid(remote), .pid(local)]), .sendSender(from: remote, to: local)),
        (.tuple([23, .pid(remote), .pid(local), 4]), .sendSenderTT(from: remote, to: local, token: 4)),
        (
            .tuple([
                29, .reference(reference), .pid(remote), .pid(remote), .tuple([.atom("m"), .atom("f"), 2]), .list([]),
            ]),
            .spawnRequest(
                request: reference, from: remote, groupLeader: remote, module: "m", function: "f", arity: 2,
                options: .list([]))
        ),
        (.tuple([33, .pid(remote), .reference(reference)]), .aliasSend(from: remote, alias: reference)),
        (.tuple([35, 77, .pid(remote), .pid(local)]), .unlinkID(id: 77, from: remote, to: local)),
    ]

    @Test func everyShapeReadsTheSameFromTheViewAndTheTerm() throws {
        var atoms = AtomInterner(known: [Self.local.node])
        for (term, expected) in Self.wellFormed {
            for style in AtomStyle.allCases {
                let view = try TermView(parsing: term.encoded(style: style))
                #expect(try ControlMessage(view) == expected, "\(term) in \(style)")
                #expect(try ControlMessage(view, atoms: &atoms) == expected, "\(term) in \(style)")
            }
            #expect(try ControlMessage(term) == expected)
        }
    }

    /// One message of every operation, 30 in all, with fields that differ from each other.
    static let everyOperation: [ControlMessage] = {
        let (from, to, ref, token, reason): (Pid, Pid, Reference, Term, Term) = (
            remote, local, reference, .tuple([.atom("trace"), 7]), .atom("killed")
        )
        return [
            .link(from: from, to: to), .send(to: to), .exit(from: from, to: to, reason: reason),
            .unlink(from: from, to: to), .nodeLink, .registeredSend(from: from, to: "rex"),
            .groupLeader(from: from, to: to), .exit2(from: from, to: to, reason: reason), .sendTT(to: to, token: token),
            .exitTT(from: from, to: to, token: token, reason: reason),
            .registeredSendTT(from: from, to: "rex", token: token),
            .exit2TT(from: from, to: to, token: token, reason: reason),
            .monitor(from: from, target: .name("scope"), reference: ref),
            .demonitor(from: from, target: .pid(to), reference: ref),
            .monitorExit(from: .pid(from), to: to, reference: ref, reason: reason),
            .sendSender(from: from, to: to), .sendSenderTT(from: from, to: to, token: token),
            .payloadExit(from: from, to: to), .payloadExitTT(from: from, to: to, token: token),
            .payloadExit2(from: from, to: to), .payloadExit2TT(from: from, to: to, token: token),
            .payloadMonitorExit(from: .name("scope"), to: to, reference: ref),
            .spawnRequest(
                request: ref, from: from, groupLeader: to, module: "m", function: "f", arity: 2, options: .list([])),
            .spawnRequestTT(
                request: ref, from: from, groupLeader: to, module: "m", function: "f", arity: 2,
                options: .list([.atom("link")]), token: token),
            .spawnReply(request: ref, to: to, flags: 1, result: .pid(from)),
            .spawnReplyTT(request: ref, to: to, flags: 0, result: .atom("badarg"), token: token),
            .aliasSend(from: from, alias: ref), .aliasSendTT(from: from, alias: ref, token: token),
            .unlinkID(id: 77, from: from, to: to), .unlinkIDAck(id: 78, from: from, to: to),
        ]
    }()

    /// Each message's term reads back to the same message, and its first element is its
    /// operation (found by fuzzing: `term` wrote `{26}` for a PAYLOAD_EXIT2 and 16 other kinds).
    @Test func everyOperationComesBackFromItsTerm() throws {
        #expect(Set(Self.everyOperation.map(\.operation)).count == 30)
        for message in Self.everyOperation {
            #expect(try ControlMessage(message.term) == message, "\(message)")
            guard case .tuple(let fields) = message.term else {
                Issue.record("\(message): its term is no tuple")
                continue
            }
            #expect(fields.first == .integer(message.operation), "\(message)")
        }
    }

    @Test func misshapenSendSenderIsNamedAsBefore() throws {
        let cases: [(Term, String)] = [
            (.tuple([22, .pid(Self.remote)]), "only 2 elements"),
            (.tuple([22, .pid(Self.remote), .pid(Self.local), 1]), "4 elements is too many"),
            (.tuple([22, .atom("x"), .pid(Self.local)]), "element 2 is not a pid"),
            (.tuple([22, .pid(Self.remote), 5]), "element 3 is not a pid"),
        ]
        for (term, detail) in cases {
            let view = try TermView(parsing: term.encoded())
            #expect(throws: MalformedControlMessage(operation: 22, detail: detail)) { try ControlMessage(view) }
            #expect(throws: MalformedControlMessage(operation: 22, detail: detail)) { try ControlMessage(term) }
        }
        let notATuple = try TermView(parsing: Term.atom("nope").encoded())
        #expect(throws: MalformedControlMessage(operation: nil, detail: "not a tuple starting with an integer")) {
            try ControlMessage(notATuple)
        }
    }

    @Test func nodeNamesComeFromTheInterner() throws {
        let name = Atom("ex_esdb@" + String(repeating: "long-host-", count: 3))
        var atoms = AtomInterner(known: [name])
        let frame = Term.tuple([22, .pid(Pid(node: name, id: 1, serial: 0, creation: 1)), .pid(Self.local)])
        let view = try TermView(parsing: frame.encoded())
        guard case .sendSender(let from, let to) = try ControlMessage(view, atoms: &atoms) else {
            Issue.record("not a SEND_SENDER")
            return
        }
        #expect(from.node == name && to == Self.local)
        // The same string, not an equal copy: reading it allocated nothing.
        #expect(
            from.node.name.utf8.withContiguousStorageIfAvailable { $0.baseAddress }
                == name.name.utf8.withContiguousStorageIfAvailable { $0.baseAddress })
    }
}
