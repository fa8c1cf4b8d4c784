import ErlangTerm

/// Tolerant reads of a payload map's fields (DESIGN.md 3.4): numbers may be integers or floats,
/// nil means absent, a list stands for its length where a count is expected, strings may be
/// binaries or charlists, atoms may stand where strings are expected.
struct PayloadReader {
    let view: TermView
    let map: TermRef

    func field(_ key: String) -> TermRef? {
        guard let value = view.value(forAtomKey: key, in: map), !view.isAtom(value, "nil") else { return nil }
        return value
    }

    func text(_ key: String) -> String? {
        field(key).flatMap { view.text(of: $0) }
    }

    func double(_ key: String) -> Double? {
        field(key).flatMap { view.double(of: $0) }
    }

    /// An integer, a float (truncated), or a list's length.
    func count(_ key: String) -> Int? {
        guard let value = field(key) else { return nil }
        if let number = view.double(of: value), number.isFinite, abs(number) < 9e18 { return Int(number) }
        switch view.kind(of: value) {
        case .list, .string, .emptyList: return view.count(of: value)
        default: return nil
        }
    }

    func bool(_ key: String) -> Bool? {
        field(key).flatMap { view.bool(of: $0) }
    }

    /// A list of names (atoms, binaries or charlists), or a single one.
    func names(_ key: String) -> [String] {
        guard let value = field(key) else { return [] }
        switch view.kind(of: value) {
        case .list: return view.children(of: value).compactMap { view.text(of: $0) }
        case .emptyList: return []
        default: return view.text(of: value).map { [$0] } ?? []
        }
    }

    /// A DateTime or NaiveDateTime struct (or the map of its fields) as Unix seconds.
    func timestamp(_ key: String) -> Double? {
        field(key).flatMap { ErlangDateTime.unixSeconds(view, $0) }
    }

    /// The entries of a map-valued field: key text and value.
    func entries(_ key: String) -> [(name: String, value: TermRef)] {
        guard let value = field(key), view.kind(of: value) == .map else { return [] }
        return view.mapEntries(of: value).compactMap { entry in view.text(of: entry.key).map { ($0, entry.value) } }
    }
}

/// Elixir DateTime structs as they travel: maps with year, month, day, hour, minute, second and
/// microsecond `{Value, Precision}` (UTC, as the Gater sends them).
enum ErlangDateTime {
    static func unixSeconds(_ view: TermView, _ map: TermRef) -> Double? {
        guard view.kind(of: map) == .map else { return nil }
        // One pass over the fields: a DateTime has a dozen keys and a lookup each would rescan them.
        var parts = [Int](repeating: 0, count: 6)
        var seen = 0
        var micro = 0.0
        var offset = 0.0
        var valid = true
        view.forEachEntry(of: map) { key, value in
            switch Self.fields.index(of: key, in: view) {
            case let index? where index < 6:
                guard let number = view.double(of: value), number.isFinite, abs(number) < 1e9 else {
                    valid = false
                    return
                }
                parts[index] = Int(number)
                seen |= 1 << index
            case 6?:
                micro = view.element(0, of: value).flatMap { view.double(of: $0) } ?? view.double(of: value) ?? 0
            case 7?, 8?:
                offset += view.double(of: value) ?? 0
            default:
                break
            }
        }
        guard valid else { return nil }
        let (year, month, day) = (parts[0], parts[1], parts[2])
        guard seen & 0b111 == 0b111, (1...12).contains(month), (1...31).contains(day) else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86_400 + parts[3] * 3600 + parts[4] * 60 + parts[5]) + micro / 1e6 - offset
    }

    /// The DateTime fields read, in the order `parts` holds them, then microsecond and the offsets.
    private static let fields = AtomTable([
        "year", "month", "day", "hour", "minute", "second", "microsecond", "utc_offset", "std_offset",
    ])

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
