/// What a field's value is, as a log line names it when the field cannot be used.
public enum FieldShape: String, Sendable {
    case atom, integer, float, binary, charlist, list, map, tuple, other
}

/// The fields of one payload that were there but could not be used (a count that is an atom, a
/// text that is a map), with the shape of the first few: counted in
/// `exesdb_exporter_payload_fields_ignored_total{bus,type,field}` and named in the log.
/// Held inline (two words of bits, four shapes): no allocation on the ingest path.
public struct FieldReport: Sendable, Equatable {
    private var bits: (UInt64, UInt64) = (0, 0)
    private var shapes: (FieldShape, FieldShape, FieldShape, FieldShape) = (.other, .other, .other, .other)
    private var firstFields: (Int, Int, Int, Int) = (-1, -1, -1, -1)

    public static func == (a: FieldReport, b: FieldReport) -> Bool {
        a.bits == b.bits && a.ignored.map { a.shape(of: $0) } == b.ignored.map { b.shape(of: $0) }
    }

    public var isEmpty: Bool { bits == (0, 0) }

    mutating func ignore(_ field: PayloadField, found shape: FieldShape) {
        let index = field.rawValue
        guard !contains(index) else { return }
        if index < 64 { bits.0 |= 1 << UInt64(index) } else { bits.1 |= 1 << UInt64(index - 64) }
        if firstFields.0 < 0 {
            (firstFields.0, shapes.0) = (index, shape)
        } else if firstFields.1 < 0 {
            (firstFields.1, shapes.1) = (index, shape)
        } else if firstFields.2 < 0 {
            (firstFields.2, shapes.2) = (index, shape)
        } else if firstFields.3 < 0 {
            (firstFields.3, shapes.3) = (index, shape)
        }
    }

    private func contains(_ index: Int) -> Bool {
        index < 64 ? bits.0 & (1 << UInt64(index)) != 0 : bits.1 & (1 << UInt64(index - 64)) != 0
    }

    func contains(_ field: PayloadField) -> Bool { contains(field.rawValue) }

    /// The ignored fields, by their keys' names.
    public var ignored: [String] {
        PayloadField.allCases.filter { contains($0.rawValue) }.map(\.atomName)
    }

    /// The shape found for an ignored field (among the first four), if kept.
    public func shape(of name: String) -> FieldShape? {
        guard let field = PayloadField.allCases.first(where: { $0.atomName == name }) else { return nil }
        return shape(of: field)
    }

    func shape(of field: PayloadField) -> FieldShape? {
        let index = field.rawValue
        if firstFields.0 == index { return shapes.0 }
        if firstFields.1 == index { return shapes.1 }
        if firstFields.2 == index { return shapes.2 }
        if firstFields.3 == index { return shapes.3 }
        return nil
    }
}

/// A payload's fields read through, noting in a `FieldReport` each field that is there (and not
/// `nil`) but whose read gives nothing: the decoders stay as they are, and a message read well
/// pays one comparison per field read.
struct RecordingFields<Fields: PayloadFields>: PayloadFields {
    let fields: Fields
    let report: UnsafeMutablePointer<FieldReport>

    private func noted<T>(_ key: PayloadField, _ value: T?) -> T? {
        if value == nil, let shape = fields.shape(key) { report.pointee.ignore(key, found: shape) }
        return value
    }

    func has(_ key: PayloadField) -> Bool { fields.has(key) }
    func shape(_ key: PayloadField) -> FieldShape? { fields.shape(key) }
    func text(_ key: PayloadField) -> String? { noted(key, fields.text(key)) }
    func double(_ key: PayloadField) -> Double? { noted(key, fields.double(key)) }
    func count(_ key: PayloadField) -> Int? { noted(key, fields.count(key)) }
    func bool(_ key: PayloadField) -> Bool? { noted(key, fields.bool(key)) }
    func timestamp(_ key: PayloadField) -> Double? { noted(key, fields.timestamp(key)) }
    func names(_ key: PayloadField) -> [String] {
        let names = fields.names(key)
        // An empty list is a list of no names, not an unusable field.
        if names.isEmpty, let shape = fields.shape(key), shape != .list { report.pointee.ignore(key, found: shape) }
        return names
    }
    func numericTags(_ key: PayloadField) -> [NumericTag] { fields.numericTags(key) }
    func checkOutcomes(_ key: PayloadField) -> [HealthCheckOutcome] { fields.checkOutcomes(key) }
}
