import ErlangTerm

/// A reproducible pseudo-random source (SplitMix64), so a failing seed can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random terms of every kind the BEAM can round-trip, in the canonical shapes the decoder yields.
struct TermGenerator {
    var random: SplitMix64
    let maxDepth: Int

    init(seed: UInt64, maxDepth: Int = 4) {
        random = SplitMix64(seed: seed)
        self.maxDepth = maxDepth
    }

    mutating func term(depth: Int = 0) -> Term {
        let leafOnly = depth >= maxDepth
        switch Int.random(in: 0..<(leafOnly ? 9 : 14), using: &random) {
        case 0: return .integer(smallInteger())
        case 1: return .integer(Int.random(in: Int.min...Int.max, using: &random))
        case 2: return bigInteger()
        case 3: return .float(finiteDouble())
        case 4: return .atom(atom())
        case 5: return .binary(bytes(max: 40))
        case 6: return bitBinary()
        case 7: return identifier()
        case 8: return .string(bytes(max: 30))
        case 9: return .tuple(children(depth: depth, max: 6))
        case 10: return .list(children(depth: depth, max: 6))
        case 11: return .improperList(children(depth: depth, max: 4, min: 1), tail: nonListTail())
        case 12: return map(depth: depth)
        default: return .list((0..<Int.random(in: 1...8, using: &random)).map { _ in .integer(smallInteger()) })
        }
    }

    private mutating func smallInteger() -> Int {
        [
            Int.random(in: 0...255, using: &random), Int.random(in: -70000...70000, using: &random),
            Int(Int32.max), Int(Int32.min), Int(Int32.max) + 1, Int(Int32.min) - 1,
        ][Int.random(in: 0..<6, using: &random)]
    }

    private mutating func bigInteger() -> Term {
        var magnitude = bytes(max: 40)
        magnitude += [UInt8.random(in: 1...255, using: &random)]
        magnitude = Array(repeating: 0, count: 8) + magnitude
        return .bigInteger(BigInteger(isNegative: Bool.random(using: &random), magnitude: magnitude))
    }

    private mutating func finiteDouble() -> Double {
        while true {
            let value = Double(bitPattern: random.next())
            if value.isFinite { return value }
        }
    }

    private static let alphabets: [[Unicode.Scalar]] = [
        Array("abcdefghijklmnopqrstuvwxyz_@.-ABC0123456789".unicodeScalars),
        Array("éüßçÀÿ×".unicodeScalars),
        Array("日本語ξλ😀".unicodeScalars),
    ]

    mutating func atom() -> Atom {
        let length =
            Bool.random(using: &random)
            ? Int.random(in: 0...12, using: &random) : Int.random(in: 0...255, using: &random)
        let alphabet = Self.alphabets[Int.random(in: 0..<3, using: &random)]
        let ascii = Self.alphabets[0]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            let pool = Int.random(in: 0..<4, using: &random) == 0 ? ascii : alphabet
            scalars.append(pool[Int.random(in: 0..<pool.count, using: &random)])
        }
        return Atom(String(scalars))
    }

    private mutating func bytes(max: Int) -> [UInt8] {
        (0..<Int.random(in: 0...max, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    private mutating func bitBinary() -> Term {
        var data = bytes(max: 10) + [UInt8.random(in: 0...255, using: &random)]
        let bits = UInt8.random(in: 1...7, using: &random)
        data[data.count - 1] &= ~(0xFF >> bits)
        return .bitBinary(data, bitsInLastByte: bits)
    }

    private mutating func identifier() -> Term {
        let node = Atom("node\(Int.random(in: 1...9, using: &random))@host")
        let creation = UInt32.random(in: 1...UInt32.max, using: &random)
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            return .pid(
                Pid(
                    node: node, id: UInt32.random(in: 0...0x7FFF, using: &random),
                    serial: UInt32.random(in: 0...8191, using: &random), creation: creation))
        case 1:
            return .port(Port(node: node, id: UInt64.random(in: 0...0x0FFF_FFFF, using: &random), creation: creation))
        case 2:
            let words = (0..<3).map { _ in UInt32.random(in: 0...UInt32.max, using: &random) }
            return .reference(
                Reference(node: node, creation: creation, words: [words[0] & 0x3FFFF, words[1], words[2]]))
        default:
            return .export(
                ExportFun(module: atom(), function: atom(), arity: UInt8.random(in: 0...255, using: &random)))
        }
    }

    private mutating func children(depth: Int, max: Int, min: Int = 0) -> [Term] {
        (0..<Int.random(in: min...max, using: &random)).map { _ in term(depth: depth + 1) }
    }

    private mutating func nonListTail() -> Term {
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return .atom(atom())
        case 1: return .integer(smallInteger())
        default: return .binary(bytes(max: 5))
        }
    }

    private mutating func map(depth: Int) -> Term {
        // Distinct keys: an integer tag per entry keeps them unique whatever else they hold.
        let count = Int.random(in: 0...(Bool.random(using: &random) ? 4 : 40), using: &random)
        return .map(
            (0..<count).map { index in
                let key: Term =
                    Bool.random(using: &random) ? .integer(index) : .tuple([.integer(index), term(depth: depth + 1)])
                return MapEntry(key, term(depth: depth + 1))
            })
    }
}

extension Term {
    /// Equality as Erlang's `=:=` sees it: map entries in any order.
    func isErlangEqual(to other: Term) -> Bool {
        switch (self, other) {
        case (.map(let a), .map(let b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { entry in
                b.contains { $0.key.isErlangEqual(to: entry.key) && $0.value.isErlangEqual(to: entry.value) }
            }
        case (.tuple(let a), .tuple(let b)), (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isErlangEqual(to: $1) }
        case (.improperList(let a, let tailA), .improperList(let b, let tailB)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isErlangEqual(to: $1) }
                && tailA.isErlangEqual(to: tailB)
        default:
            return self == other
        }
    }

    var containsMultiKeyMap: Bool {
        switch self {
        case .map(let entries):
            return entries.count > 1 || entries.contains { $0.key.containsMultiKeyMap || $0.value.containsMultiKeyMap }
        case .tuple(let items), .list(let items): return items.contains { $0.containsMultiKeyMap }
        case .improperList(let items, let tail):
            return tail.containsMultiKeyMap || items.contains { $0.containsMultiKeyMap }
        default: return false
        }
    }
}
