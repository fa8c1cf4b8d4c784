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
