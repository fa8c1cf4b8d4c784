import ErlangTerm
import Testing

/// The parser's tape sized by a guess: terms denser than the guess parse all the same, and the
/// subterm limit still holds. Atom tables and the interner find what they should, in every
/// spelling, and nothing else.
@Suite struct TapeAndAtomTests {
    @Test func termsDenserThanTheGuessParseWhole() throws {
        // One byte per subterm: eight times the parser's first guess.
        let empties = Term.list(Array(repeating: .list([]), count: 10_000))
        let view = try TermView(parsing: empties.encoded(), wholeInput: true)
        #expect(view.nodeCount == 10_002)
        #expect(view.term() == empties)
        let integers = Term.tuple((0..<1000).map { .integer($0 % 200) })
        let tuple = try TermView(parsing: integers.encoded(), wholeInput: true)
        #expect(tuple.nodeCount == 1001)
        #expect(tuple.term() == integers)
        #expect(tuple.encoded(style: .legacy) == integers.encoded(style: .legacy))
    }

    @Test func theSubtermLimitHoldsOnDenseTerms() {
        let empties = Term.list(Array(repeating: .list([]), count: 5000)).encoded()
        let limits = TermDecodingLimits(maxSubterms: 4000)
        #expect(throws: TermDecodingError.self) { try TermView(parsing: empties, limits: limits) }
        do {
            _ = try TermView(parsing: empties, limits: limits)
        } catch {
            #expect(error.kind == .tooManySubterms(limit: 4000))
        }
        #expect((try? TermView(parsing: empties, limits: TermDecodingLimits(maxSubterms: 5002))) != nil)
    }

    static let names = [
        "year", "month", "day", "microsecond", "utc_offset", "std_offset", "a", "",
        "Elixir.ExESDBGater.Messages.MetricsMessages.LatencyMetric",
        "Elixir.ExESDBGater.Messages.MetricsMessages.LatencyMetrix", "été",
    ]

    @Test func atomTablesFindTheirNamesInEverySpelling() throws {
        let table = AtomTable(Self.names)
        for style in AtomStyle.allCases {
            let keys = Term.list(Self.names.map { .atom($0) } + [.atom("years"), .atom("yea"), .atom("utc_offsat"), 7])
            let view = try TermView(parsing: keys.encoded(style: style))
            let found = view.children(of: view.root).map { table.index(of: $0, in: view) }
            #expect(found == Array(0..<Self.names.count) + [nil, nil, nil, nil], "\(style)")
        }
        // A key at the very end of the input: no word may be read past it.
        let last = try TermView(parsing: Term.atom("day").encoded())
        #expect(table.index(of: last.root, in: last) == 2)
        var text = Array("microsecond".utf8)
        #expect(text.withUnsafeBufferPointer { table.position(of: $0) } == 3)
        text[10] = UInt8(ascii: "e")
        #expect(text.withUnsafeBufferPointer { table.position(of: $0) } == nil)
    }

    @Test func theInternerGivesBackTheAtomsItKnows() throws {
        let node = Atom("exesdb_exporter@host-9")
        var atoms = AtomInterner(capacity: 3, known: [node])
        for style in AtomStyle.allCases {
            let names = Term.list([.atom("exesdb_exporter@host-9"), .atom("peer@é"), 1])
            let view = try TermView(parsing: names.encoded(style: style))
            let children = Array(view.children(of: view.root))
            #expect(atoms.atom(children[0], in: view) == node)
            #expect(atoms.atom(children[1], in: view) == Atom("peer@é"))
            #expect(atoms.atom(children[1], in: view) == Atom("peer@é"))
            #expect(atoms.atom(children[2], in: view) == nil)
        }
        // More names than room: the oldest goes, every answer stays right.
        let many = Term.list((0..<10).map { .atom("n\($0)@h") })
        let view = try TermView(parsing: many.encoded())
        for (index, child) in view.children(of: view.root).enumerated() {
            #expect(atoms.atom(child, in: view) == Atom("n\(index)@h"))
        }
        let pids = Term.tuple([.pid(Pid(node: node, id: 7, serial: 1, creation: 42))])
        let pidView = try TermView(parsing: pids.encoded())
        let pid = try #require(pidView.element(0, of: pidView.root))
        #expect(pidView.pid(of: pid, atoms: &atoms) == Pid(node: node, id: 7, serial: 1, creation: 42))
        #expect(pidView.pid(of: pidView.root, atoms: &atoms) == nil)
    }
}
