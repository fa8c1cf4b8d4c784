/// An Erlang term.
///
/// Lists have three spellings, matching what the BEAM transports: `.list` for proper lists (the
/// empty one included), `.string` for lists of bytes (STRING_EXT), `.improperList` for the rest.
/// `.list` and `.string` holding the same bytes compare equal, as they do in Erlang. Map entries
/// keep their order, which re-encoding reproduces.
public enum Term: Sendable {
    case integer(Int)
    case bigInteger(BigInteger)
    case float(Double)
    case atom(Atom)
    case tuple([Term])
    case list([Term])
    indirect case improperList([Term], tail: Term)
    case string([UInt8])
    case map([MapEntry])
    case binary([UInt8])
    /// A bitstring whose last byte holds `bitsInLastByte` (1...7) significant high bits.
    case bitBinary([UInt8], bitsInLastByte: UInt8)
    case pid(Pid)
    case port(Port)
    case reference(Reference)
    case export(ExportFun)
    indirect case fun(LocalFun)
    /// LOCAL_EXT: bytes in a node-local format, kept as they came (the tag excluded).
    case local([UInt8])

    /// The empty list, `[]`.
    public static let emptyList = Term.list([])
}

/// One key-value pair of a map.
public struct MapEntry: Equatable, Sendable {
    public var key: Term
    public var value: Term

    public init(_ key: Term, _ value: Term) {
        self.key = key
        self.value = value
    }
}

extension Term: Equatable {
    public static func == (lhs: Term, rhs: Term) -> Bool {
        switch (lhs, rhs) {
        case (.integer(let a), .integer(let b)): return a == b
        case (.bigInteger(let a), .bigInteger(let b)): return a == b
        case (.float(let a), .float(let b)): return a.bitPattern == b.bitPattern
        case (.atom(let a), .atom(let b)): return a == b
        case (.tuple(let a), .tuple(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.string(let bytes), .list(let items)), (.list(let items), .string(let bytes)):
            return items.count == bytes.count && zip(items, bytes).allSatisfy { $0 == .integer(Int($1)) }
        case (.improperList, _), (_, .improperList):
            // A list-shaped tail continues the list, as in Erlang (`[1 | [2]] =:= [1, 2]`) and
            // as the encoder writes it: compare with the tails joined in.
            switch (lhs.joiningListTails, rhs.joiningListTails) {
            case (.improperList(let a, let tailA), .improperList(let b, let tailB)): return a == b && tailA == tailB
            case (.improperList, _), (_, .improperList): return false
            case (let a, let b): return a == b
            }
        case (.map(let a), .map(let b)): return a == b
        case (.binary(let a), .binary(let b)): return a == b
        case (.bitBinary(let a, let bitsA), .bitBinary(let b, let bitsB)):
            // Only the last byte's high `bits` bits belong to the value.
            guard bitsA == bitsB, a.count == b.count, let last = a.indices.last else { return bitsA == bitsB && a == b }
            let mask = ~(UInt8(0xFF) >> bitsA)
            return a[..<last] == b[..<last] && a[last] & mask == b[last] & mask
        case (.pid(let a), .pid(let b)): return a == b
        case (.port(let a), .port(let b)): return a == b
        case (.reference(let a), .reference(let b)): return a == b
        case (.export(let a), .export(let b)): return a == b
        case (.fun(let a), .fun(let b)): return a == b
        case (.local(let a), .local(let b)): return a == b
        default: return false
        }
    }
}

extension Term {
    /// This list with every list-shaped tail joined in (`[1 | [2]]` is `[1, 2]`, `[1 | 2]` stays);
    /// any other term as it is.
    fileprivate var joiningListTails: Term {
        guard case .improperList(var elements, var tail) = self else { return self }
        while true {
            switch tail {
            case .list(let rest): return .list(elements + rest)
            case .string(let bytes): return .list(elements + bytes.map { .integer(Int($0)) })
            case .improperList(let rest, let inner):
                elements += rest
                tail = inner
            default: return elements.isEmpty ? tail : .improperList(elements, tail: tail)
            }
        }
    }
}

extension Term: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByArrayLiteral {
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(arrayLiteral elements: Term...) { self = .list(elements) }
}

extension Term {
    /// An atom term.
    public static func atom(_ name: String) -> Term { .atom(Atom(name)) }

    /// A binary holding the UTF-8 bytes of `text`, as Elixir strings travel.
    public static func binary(_ text: String) -> Term { .binary(Array(text.utf8)) }

    /// A map from atom keys, in the order given.
    public static func map(atomKeys pairs: KeyValuePairs<String, Term>) -> Term {
        .map(pairs.map { MapEntry(.atom(Atom($0.key)), $0.value) })
    }
}
