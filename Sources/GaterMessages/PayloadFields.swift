/// The fields of one payload, however they were read: from a `TermView` (`PayloadReader`, every
/// shape docs/architecture.md's Payloads tolerates) or straight from the broadcast's bytes (`ScannedFields`, the
/// shapes the Gater sends). The decoders of `GaterDecoder` read either, so both paths decode alike.
protocol PayloadFields {
    /// Whether the key is there, whatever its value.
    func has(_ key: PayloadField) -> Bool
    /// The shape of the value; nil when the key is absent or its value is `nil`.
    func shape(_ key: PayloadField) -> FieldShape?
    /// Text from a binary, a charlist or an atom; nil when absent or `nil`.
    func text(_ key: PayloadField) -> String?
    func double(_ key: PayloadField) -> Double?
    /// An integer, a float (truncated), or a list's length.
    func count(_ key: PayloadField) -> Int?
    func bool(_ key: PayloadField) -> Bool?
    /// A list of names (atoms, binaries or charlists), or a single one.
    func names(_ key: PayloadField) -> [String]
    /// A DateTime or NaiveDateTime struct (or the map of its fields) as Unix seconds.
    func timestamp(_ key: PayloadField) -> Double?
    /// The numeric entries of a map-valued field, in wire order.
    func numericTags(_ key: PayloadField) -> [NumericTag]
    /// The entries of a map-valued field that read as a passing or failing check.
    func checkOutcomes(_ key: PayloadField) -> [HealthCheckOutcome]
}

extension PayloadReader: PayloadFields {
    func shape(_ key: PayloadField) -> FieldShape? {
        guard let value = field(key) else { return nil }
        switch view.kind(of: value) {
        case .atom: return .atom
        case .integer, .bigInteger: return .integer
        case .float: return .float
        case .binary, .bitBinary: return .binary
        case .string: return .charlist
        case .list, .emptyList: return .list
        case .map: return .map
        case .tuple: return .tuple
        default: return .other
        }
    }

    func numericTags(_ key: PayloadField) -> [NumericTag] {
        entries(key).compactMap { entry in view.double(of: entry.value).map { NumericTag(name: entry.name, value: $0) }
        }
    }

    func checkOutcomes(_ key: PayloadField) -> [HealthCheckOutcome] {
        entries(key).compactMap { entry in
            HealthVerdict.passing(view, entry.value).map { HealthCheckOutcome(name: entry.name, passing: $0) }
        }
    }
}
