import ErlangTerm

/// The payload keys the decoders read. A key's atom is its case name in snake case
/// (`latencyMs` is `latency_ms`), except `structModule`, which is `__struct__`.
enum PayloadField: Int, CaseIterable {
    case structModule
    case metricName, value, unit, node, component, tags, timestamp
    case operation, count, durationMs, ratePerSec, latencyMs, percentile, sampleCount
    case resourceType, usagePercent, totalAvailable, currentUsed
    case currentValue, thresholdValue, thresholdType, severity
    case status, checks, loadAvg, memoryUsage, diskUsage
    case healthyNodes, totalNodes, degradedNodes, unhealthyNodes, quorumStatus, lastCheck
    case checkName, result, error
    case alertId, category, title, description, source, requiresAck
    case ackBy, ackNote, resolution, ackTimestamp
    case fromLevel, toLevel, escalationReason, escalatedBy, notifyContacts
    case deliveryMethod, recipient, errorReason, attempts

    /// The key as it travels.
    var atomName: String {
        if self == .structModule { return "__struct__" }
        return String(describing: self).reduce(into: "") { name, character in
            if character.isUppercase { name += "_" + character.lowercased() } else { name.append(character) }
        }
    }

    /// Every key, in case order, so that a key's table position is its raw value.
    static let table = AtomTable(allCases.map(\.atomName))
    static let total = allCases.count
}

/// The payload map's fields, found in one pass over its keys: each decoder then reads any field
/// without scanning the map again.
///
/// Tolerant reads (DESIGN.md 3.4): numbers may be integers or floats, nil means absent, a list
/// stands for its length where a count is expected, strings may be binaries or charlists, atoms
/// may stand where strings are expected.
struct PayloadReader {
    let view: TermView
    let map: TermRef
    /// Per field, its value, or nil when the key is absent.
    private let slots: UnsafeMutableBufferPointer<TermRef?>

    /// Calls `body` with the fields of `map` (a map), collected without allocating.
    static func withFields<R>(of map: TermRef, in view: TermView, _ body: (PayloadReader) -> R) -> R {
        withUnsafeTemporaryAllocation(of: TermRef?.self, capacity: PayloadField.total) { slots in
            slots.initialize(repeating: nil)
            view.forEachEntry(of: map) { key, value in
                // The first of duplicate keys wins, as a lookup by key would find it.
                if let position = PayloadField.table.index(of: key, in: view), slots[position] == nil {
                    slots[position] = value
                }
            }
            return body(PayloadReader(view: view, map: map, slots: slots))
        }
    }

    /// Whether the map has the key, whatever its value.
    func has(_ key: PayloadField) -> Bool { slots[key.rawValue] != nil }

    func field(_ key: PayloadField) -> TermRef? {
        guard let value = slots[key.rawValue], !view.isAtom(value, "nil") else { return nil }
        return value
    }

    func text(_ key: PayloadField) -> String? {
        field(key).flatMap { view.text(of: $0) }
    }

    func double(_ key: PayloadField) -> Double? {
        field(key).flatMap { view.double(of: $0) }
    }

    /// An integer, a float (truncated), or a list's length.
    func count(_ key: PayloadField) -> Int? {
        guard let value = field(key) else { return nil }
        if let number = view.double(of: value), number.isFinite, abs(number) < 9e18 { return Int(number) }
        switch view.kind(of: value) {
        case .list, .string, .emptyList: return view.count(of: value)
        default: return nil
        }
    }

    func bool(_ key: PayloadField) -> Bool? {
        field(key).flatMap { view.bool(of: $0) }
    }

    /// A list of names (atoms, binaries or charlists), or a single one.
    func names(_ key: PayloadField) -> [String] {
        guard let value = field(key) else { return [] }
        switch view.kind(of: value) {
        case .list: return view.children(of: value).compactMap { view.text(of: $0) }
        case .emptyList: return []
        default: return view.text(of: value).map { [$0] } ?? []
        }
    }

    /// A DateTime or NaiveDateTime struct (or the map of its fields) as Unix seconds.
    func timestamp(_ key: PayloadField) -> Double? {
        field(key).flatMap { ErlangDateTime.unixSeconds(view, $0) }
    }

    /// The entries of a map-valued field: key text and value.
    func entries(_ key: PayloadField) -> [(name: String, value: TermRef)] {
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
        var parts = (year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0)
        var seen = 0
        var micro = 0.0
        var offset = 0.0
        var valid = true
        view.forEachEntry(of: map) { key, value in
            guard let index = Self.fields.index(of: key, in: view) else { return }
            if index < 6 {
                guard let number = view.double(of: value), number.isFinite, abs(number) < 1e9 else {
                    valid = false
                    return
                }
                seen |= 1 << index
                switch index {
                case 0: parts.year = Int(number)
                case 1: parts.month = Int(number)
                case 2: parts.day = Int(number)
                case 3: parts.hour = Int(number)
                case 4: parts.minute = Int(number)
                default: parts.second = Int(number)
                }
            } else if index == 6 {
                micro = view.element(0, of: value).flatMap { view.double(of: $0) } ?? view.double(of: value) ?? 0
            } else {
                offset += view.double(of: value) ?? 0
            }
        }
        guard valid, seen & 0b111 == 0b111, (1...12).contains(parts.month), (1...31).contains(parts.day) else {
            return nil
        }
        let days = daysFromCivil(year: parts.year, month: parts.month, day: parts.day)
        return Double(days * 86_400 + parts.hour * 3600 + parts.minute * 60 + parts.second) + micro / 1e6 - offset
    }

    /// The DateTime fields read: the six parts in order, then microsecond and the two offsets.
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
