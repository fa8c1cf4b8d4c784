import ErlangTerm

/// Reading the plain shapes the VM answers with, whatever encoding the sender chose.
extension Term {
    /// An integer or a float as a Double.
    var number: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .bigInteger(let value): value.doubleValue
        case .float(let value): value
        default: nil
        }
    }

    /// A proper list's elements; a list of small integers may come as a string (STRING_EXT).
    var elements: [Term]? {
        switch self {
        case .list(let items): items
        case .string(let bytes): bytes.map { .integer(Int($0)) }
        default: nil
        }
    }

    /// A charlist (`"25"`), a binary or an atom as text; nil for anything else.
    var text: String? {
        switch self {
        case .string(let bytes):
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case .binary(let bytes):
            return String(validating: bytes, as: UTF8.self)
        case .atom(let atom):
            return atom.name
        case .list(let items):
            var scalars = String.UnicodeScalarView()
            for item in items {
                guard case .integer(let code) = item, let scalar = Unicode.Scalar(UInt32(clamping: code)) else {
                    return nil
                }
                scalars.append(scalar)
            }
            return String(scalars)
        default:
            return nil
        }
    }

    /// `[{Key, Value}]` with atom keys, by key name; nil when it is not one.
    var proplist: [String: Term]? {
        guard let items = elements else { return nil }
        var result: [String: Term] = [:]
        for item in items {
            guard case .tuple(let pair) = item, pair.count == 2, case .atom(let key) = pair[0] else { return nil }
            result[key.name] = pair[1]
        }
        return result
    }

    /// The element at `index` of a tuple of at least `index + 1` elements.
    func field(_ index: Int) -> Term? {
        guard case .tuple(let fields) = self, index < fields.count else { return nil }
        return fields[index]
    }
}
