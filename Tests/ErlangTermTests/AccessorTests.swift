import ErlangTerm
import Testing

/// The accessors the product reads messages with, on an ExESDBGater-shaped broadcast.
@Suite struct AccessorTests {
    static let timestamp = Term.map(atomKeys: [
        "__struct__": .atom("Elixir.DateTime"), "year": 2026, "month": 11, "day": 22, "hour": 10,
        "minute": 15, "second": 30, "microsecond": .tuple([123000, 3]),
    ])

    static let latency = Term.map(atomKeys: [
        "__struct__": .atom("Elixir.ExESDBGater.Messages.MetricsMessages.LatencyMetric"),
        "operation": .atom("stream_read"), "latency_ms": 12.75, "percentile": .atom("p99"),
        "sample_count": 1500, "node": .atom("ex_esdb@host-1"), "timestamp": timestamp,
    ])

    static let message = Term.tuple([
        .atom("forward_to_local"), .binary("latency"),
        .tuple([
            .atom("secure_message"), .binary([UInt8](repeating: 0xAB, count: 32)),
            .tuple([.atom("latency_metric"), latency]),
        ]),
        .atom("Elixir.Phoenix.PubSub"),
    ])

    @Test func nilIsTheAtomNilInEverySpelling() throws {
        // UTF-8 small atom, Latin-1 ATOM_EXT and SMALL_ATOM_EXT, ATOM_UTF8_EXT: all `nil`.
        for bytes: [UInt8] in [
            [131, 119, 3, 110, 105, 108], [131, 100, 0, 3, 110, 105, 108], [131, 115, 3, 110, 105, 108],
            [131, 118, 0, 3, 110, 105, 108],
        ] {
            let view = try TermView(parsing: bytes)
            #expect(view.isNil(view.root), "\(bytes)")
        }
        for term: Term in [.atom("nil2"), .atom("ni"), .atom("Nil"), .binary("nil"), .list([.atom("nil")]), 0] {
            let view = try TermView(parsing: term.encoded())
            #expect(!view.isNil(view.root), "\(term)")
        }
    }

    @Test func readsTheFieldsOfABroadcast() throws {
        let view = try TermView(parsing: Self.message.encoded())
        let root = view.root
        #expect(view.kind(of: root) == .tuple)
        #expect(view.count(of: root) == 4)
        let tag = try #require(view.element(0, of: root))
        #expect(view.isAtom(tag, "forward_to_local"))
        #expect(!view.isAtom(tag, "forward_to_locals"))
        #expect(try view.text(of: #require(view.element(1, of: root))) == "latency")
        let envelope = try #require(view.element(2, of: root))
        let signature = try #require(view.element(1, of: envelope))
        #expect(view.binaryBytes(of: signature)?.count == 32)
        let inner = try #require(view.element(2, of: envelope))
        let payload = try #require(view.element(1, of: inner))
        #expect(view.count(of: payload) == 7)
        #expect(try view.double(of: #require(view.value(forAtomKey: "latency_ms", in: payload))) == 12.75)
        #expect(try view.int(of: #require(view.value(forAtomKey: "sample_count", in: payload))) == 1500)
        #expect(try view.double(of: #require(view.value(forAtomKey: "sample_count", in: payload))) == 1500)
        #expect(try view.atomName(of: #require(view.value(forAtomKey: "node", in: payload))) == "ex_esdb@host-1")
        #expect(view.value(forAtomKey: "missing", in: payload) == nil)
        #expect(view.element(4, of: root) == nil)
        let stamp = try #require(view.value(forAtomKey: "timestamp", in: payload))
        #expect(try view.int(of: #require(view.value(forAtomKey: "year", in: stamp))) == 2026)
        // The inner term's span is exactly its encoding: what a signature covers.
        #expect(
            Array(view.bytes[view.span(of: inner)])
                == Array(Term.tuple([.atom("latency_metric"), Self.latency]).encoded().dropFirst()))
        #expect(view.mapEntries(of: payload).count == 7)
    }

    @Test func textAcceptsEveryStringSpelling() throws {
        let spelled: [Term] = [
            .binary("ok é"), .string(Array("ok é".unicodeScalars.map { UInt8($0.value) })),
            .list("ok é".unicodeScalars.map { .integer(Int($0.value)) }), .atom("ok é"),
        ]
        for term in spelled {
            let view = try TermView(parsing: term.encoded())
            #expect(view.text(of: view.root) == "ok é", "\(term)")
        }
        let unicode = try TermView(parsing: Term.list([.integer(26085), 97]).encoded())
        #expect(unicode.text(of: unicode.root) == "日a")
        let notText = try TermView(parsing: Term.list([.integer(-1)]).encoded())
        #expect(notText.text(of: notText.root) == nil)
    }

    @Test func numbersOfEverySize() throws {
        for value in [0, 255, 256, -1, Int(Int32.max) + 1, Int.max, Int.min] {
            let view = try TermView(parsing: Term.integer(value).encoded())
            #expect(view.int(of: view.root) == value)
        }
        let huge = try TermView(
            parsing: Term.bigInteger(BigInteger(isNegative: true, magnitude: [0, 0, 0, 0, 0, 0, 0, 0, 1])).encoded())
        #expect(huge.int(of: huge.root) == nil)
        #expect(huge.double(of: huge.root) == -18_446_744_073_709_551_616.0)
        let legacyFloat = [131, 99] + Array("1.50000000000000000000e+00".utf8) + [0, 0, 0, 0, 0]
        let old = try TermView(parsing: legacyFloat, wholeInput: true)
        #expect(old.double(of: old.root) == 1.5)
        #expect(old.encoded(style: .utf8) == legacyFloat)
    }

    @Test func listTailsAndBooleans() throws {
        let view = try TermView(
            parsing: Term.improperList([.atom("true"), .atom("false")], tail: .atom("x")).encoded())
        #expect(view.count(of: view.root) == 2)
        #expect(try view.bool(of: #require(view.element(0, of: view.root))) == true)
        #expect(try view.bool(of: #require(view.element(1, of: view.root))) == false)
        #expect(try view.atomName(of: #require(view.tail(of: view.root))) == "x")
        #expect(Array(view.children(of: view.root)).count == 2)
    }
}

/// Tags OTP 25 no longer writes but may still meet (old nodes, stored terms), and LOCAL_EXT
/// (OTP 26+): decoded to the same values, and re-encoded by the view exactly as received.
@Suite struct LegacyTagTests {
    let node: [UInt8] = [115, 3] + Array("n@h".utf8)  // SMALL_ATOM_EXT

    @Test func oldIdentifierTagsDecode() throws {
        let pid = try TermView(parsing: [131, 103] + node + [0, 0, 0, 5, 0, 0, 0, 1, 2])
        #expect(pid.term() == .pid(Pid(node: "n@h", id: 5, serial: 1, creation: 2)))
        let port = try TermView(parsing: [131, 102] + node + [0, 0, 0, 9, 3])
        #expect(port.term() == .port(Port(node: "n@h", id: 9, creation: 3)))
        let newReference = try TermView(parsing: [131, 114, 0, 2] + node + [1, 0, 0, 0, 7, 0, 0, 0, 8])
        #expect(newReference.term() == .reference(Reference(node: "n@h", creation: 1, words: [7, 8])))
        let oldReference = try TermView(parsing: [131, 101] + node + [0, 0, 0, 4, 2])
        #expect(oldReference.term() == .reference(Reference(node: "n@h", creation: 2, words: [4])))
        for view in [pid, port, newReference, oldReference] {
            // SMALL_ATOM_EXT is Latin-1: legacy style writes it as ATOM_EXT, as OTP 25 would.
            let legacy = view.encoded(style: .legacy)
            #expect(try TermView(parsing: legacy).term() == view.term())
            #expect(legacy.contains(100))
        }
    }

    @Test func smallAtomExtReadsAsLatin1() throws {
        let view = try TermView(parsing: [131, 115, 4, 99, 97, 102, 0xE9])
        #expect(view.atomName(of: view.root) == "café")
        #expect(view.encoded(style: .utf8) == Term.atom("café").encoded(style: .utf8))
        #expect(view.encoded(style: .legacy) == [131, 100, 0, 4, 99, 97, 102, 0xE9])
    }

    @Test func localExtIsKeptWhole() throws {
        let bytes: [UInt8] = [131, 121, 1, 2, 3, 4, 5, 6, 7, 8, 104, 0]
        let view = try TermView(parsing: bytes, wholeInput: true)
        #expect(view.kind(of: view.root) == .local)
        #expect(view.term() == .local(Array(bytes[2...])))
        #expect(view.encoded(style: .utf8) == bytes)
        #expect(view.term().encoded() == bytes)
    }
}
