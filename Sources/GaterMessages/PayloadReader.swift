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
    // Read by no decoder, but part of structs: listed so that a struct's keys are all known.
    case details, metadata
    // The system and lifecycle buses.
    case event, systemName, version, feature, enabled, clusterSize, name, pid, module, restartCount
    case affectedNodes, activeNodes, originatingNode
    // The audit, security, diagnostics and logging buses.
    case action, actionType, success, eventType, automated, authMethod, violationType, alertType, affectedUsers
    case analysisType, findings, snapshotType, processCount, errorType, frequency
    case level, logCounts, errorRate, totalLogs, filterType, logType, fileSize, entriesCount
    // Read by no decoder: keys that tell a plain map's kind (`GaterDecoder.shapes`).
    case changes, supervisor

    /// The key as it travels.
    var atomName: String {
        if self == .structModule { return "__struct__" }
        return String(describing: self).reduce(into: "") { name, character in
            if character.isUppercase { name += "_" + character.lowercased() } else { name.append(character) }
        }
    }

    static let total = allCases.count

    /// The keys in two tables, in case order, so that a key's position is its raw value (in the
    /// first) or its raw value less `lowCount` (in the second): a payload's fields are held in
    /// two buffers of at most 64 slots, each small enough (1 KiB) to live on the stack.
    static let lowCount = 64
    static let lowTable = AtomTable(allCases.prefix(lowCount).map(\.atomName))
    static let highTable = AtomTable(allCases.dropFirst(lowCount).map(\.atomName))
}

/// The payload map's fields, found in one pass over its keys: each decoder then reads any field
/// without scanning the map again.
///
/// Tolerant reads (docs/architecture.md, Payloads): numbers may be integers or floats, nil means absent, a list
/// stands for its length where a count is expected, strings may be binaries or charlists, atoms
/// may stand where strings are expected.
struct PayloadReader {
    let view: TermView
    let map: TermRef
    /// Per field, its value, or nil when the key is absent: the fields of `PayloadField.lowTable`
    /// in `low`, the others in `high`.
    private let low: UnsafeMutableBufferPointer<TermRef?>
    private let high: UnsafeMutableBufferPointer<TermRef?>

    /// The kind named by the map's `__struct__` key when that key comes first, as it does in
    /// every struct the BEAM sends (sorted keys; `_` sorts before the lowercase field names).
    let structKind: GaterMessageKind?

    /// Calls `body` with the fields of `map` (a map), collected without allocating.
    static func withFields<R>(of map: TermRef, in view: TermView, _ body: (PayloadReader) -> R) -> R {
        withUnsafeTemporaryAllocation(of: TermRef?.self, capacity: PayloadField.lowCount) { low in
            withUnsafeTemporaryAllocation(of: TermRef?.self, capacity: PayloadField.total - PayloadField.lowCount) {
                high in
                low.initialize(repeating: nil)
                high.initialize(repeating: nil)
                let kind = structKind(of: map, in: view)
                if let keys = kind.map(StructKeys.of) {
                    // The struct's own keys, in the order they travel: one comparison per key.
                    withUnsafeTemporaryAllocation(of: TermRef?.self, capacity: keys.fields.count) { found in
                        found.initialize(repeating: nil)
                        _ = keys.table.collect(map, in: view, into: found)
                        for (position, field) in keys.fields.enumerated() {
                            let index = field.rawValue
                            if index < PayloadField.lowCount {
                                low[index] = found[position]
                            } else {
                                high[index - PayloadField.lowCount] = found[position]
                            }
                        }
                    }
                } else {
                    _ = PayloadField.lowTable.collect(map, in: view, into: low)
                    _ = PayloadField.highTable.collect(map, in: view, into: high)
                }
                return body(PayloadReader(view: view, map: map, low: low, high: high, structKind: kind))
            }
        }
    }

    private static func structKind(of map: TermRef, in view: TermView) -> GaterMessageKind? {
        guard let first = view.firstEntry(of: map), view.isAtom(first.key, "__struct__"),
            let position = GaterDecoder.modules.index(of: first.value, in: view)
        else { return nil }
        return GaterDecoder.kinds[position]
    }

    /// Whether the map has the key, whatever its value.
    func has(_ key: PayloadField) -> Bool { slot(key) != nil }

    func field(_ key: PayloadField) -> TermRef? {
        guard let value = slot(key), !view.isNil(value) else { return nil }
        return value
    }

    private func slot(_ key: PayloadField) -> TermRef? {
        let index = key.rawValue
        return index < PayloadField.lowCount ? low[index] : high[index - PayloadField.lowCount]
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
        let table = keyTables.table
        return withUnsafeTemporaryAllocation(of: TermRef?.self, capacity: table.count) { values in
            values.initialize(repeating: nil)
            guard table.collect(map, in: view, into: values) else { return nil }
            return unixSeconds(
                present: { values[$0] != nil }, number: { values[$0].flatMap(view.double) },
                microsecond: { micro in
                    values[micro].map { view.element(0, of: $0).flatMap(view.double) ?? view.double(of: $0) ?? 0 } ?? 0
                })
        }
    }

    /// The Unix seconds of a DateTime whose values are read by key position (in `keys`' order):
    /// whether the key is there, its value as a number (nil when it is none), and the
    /// microseconds. The rules of both ways of reading a payload: a part present but not a
    /// plausible number makes the timestamp unreadable; year, month and day are required.
    /// Inlined so that each way of reading passes its closures without a context to call through.
    @inline(__always)
    static func unixSeconds(
        present: (Int) -> Bool, number: (Int) -> Double?, microsecond: (Int) -> Double
    ) -> Double? {
        var parts = (year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0)
        for (position, part) in Self.parts.enumerated() where part >= 0 {
            guard present(position) else {
                if part < 3 { return nil }
                continue
            }
            guard let value = number(position), value.isFinite, abs(value) < 1e9 else { return nil }
            switch part {
            case 0: parts.year = Int(value)
            case 1: parts.month = Int(value)
            case 2: parts.day = Int(value)
            case 3: parts.hour = Int(value)
            case 4: parts.minute = Int(value)
            default: parts.second = Int(value)
            }
        }
        guard (1...12).contains(parts.month), (1...31).contains(parts.day) else { return nil }
        var seconds = Double(
            daysFromCivil(year: parts.year, month: parts.month, day: parts.day) * 86_400 + parts.hour * 3600
                + parts.minute * 60 + parts.second)
        seconds += microsecond(Self.microsecond) / 1e6
        if present(Self.utcOffset) { seconds -= number(Self.utcOffset) ?? 0 }
        if present(Self.stdOffset) { seconds -= number(Self.stdOffset) ?? 0 }
        return seconds
    }

    /// A DateTime's keys in the order they travel (sorted, as the BEAM sends maps of up to 32
    /// keys), so that each key is found by one comparison with the one expected next.
    static let keys = [
        "__struct__", "calendar", "day", "hour", "microsecond", "minute", "month", "second", "std_offset",
        "time_zone", "utc_offset", "year", "zone_abbr",
    ]
    /// The keys' lookup table (both paths) and their encodings (the scanner's comparison).
    static let keyTables = StructKeys(names: keys, fields: [])
    /// Per key position, which date or time part it is (year, month, day, hour, minute,
    /// second as 0 to 5), or -1.
    private static let parts = [-1, -1, 2, 3, -1, 4, 1, 5, -1, -1, -1, 0, -1]
    private static let microsecond = 4
    private static let stdOffset = 8
    private static let utcOffset = 10

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

/// A struct's keys as they travel (sorted, `__struct__` first), with the field each one is; a
/// class, so that handing one out costs one retain rather than one per array it holds.
final class StructKeys: Sendable {
    let table: AtomTable
    /// The same names as they travel, for the scanner's comparison with the name expected next.
    let encoded: EncodedAtoms
    /// Empty for a struct read by key position (the DateTime's).
    let fields: [PayloadField]

    convenience init(_ fields: [PayloadField]) {
        let sorted = ([.structModule] + fields).sorted {
            Array($0.atomName.utf8).lexicographicallyPrecedes($1.atomName.utf8)
        }
        self.init(names: sorted.map(\.atomName), fields: sorted)
    }

    init(names: [String], fields: [PayloadField]) {
        self.table = AtomTable(names)
        self.encoded = EncodedAtoms(names)
        self.fields = fields
    }

    static func of(_ kind: GaterMessageKind) -> StructKeys { all[kind.position] }

    /// Per kind, in `allCases` order: the fields of its struct that the decoders read.
    private static let all: [StructKeys] = GaterMessageKind.allCases.map { kind in
        switch kind {
        case .performanceMetric: StructKeys([.metricName, .value, .unit, .node, .component, .tags, .timestamp])
        case .throughputMetric: StructKeys([.operation, .count, .durationMs, .ratePerSec, .node, .timestamp])
        case .latencyMetric: StructKeys([.operation, .latencyMs, .percentile, .sampleCount, .node, .timestamp])
        case .resourceUsage:
            StructKeys([.resourceType, .usagePercent, .totalAvailable, .currentUsed, .node, .timestamp])
        case .metricAlert:
            StructKeys([.metricName, .currentValue, .thresholdValue, .thresholdType, .severity, .node, .timestamp])
        case .nodeHealth: StructKeys([.node, .status, .checks, .loadAvg, .memoryUsage, .diskUsage, .timestamp])
        case .clusterHealth:
            StructKeys([
                .status, .healthyNodes, .totalNodes, .degradedNodes, .unhealthyNodes, .quorumStatus, .timestamp,
            ])
        case .componentHealth: StructKeys([.component, .node, .status, .details, .lastCheck, .timestamp])
        case .healthCheck: StructKeys([.checkName, .node, .result, .durationMs, .details, .error, .timestamp])
        case .systemAlert:
            StructKeys([
                .alertId, .severity, .category, .title, .description, .source, .node, .metadata, .requiresAck,
                .timestamp,
            ])
        case .alertAcknowledgement: StructKeys([.alertId, .ackBy, .ackNote, .resolution, .ackTimestamp, .timestamp])
        case .alertEscalation:
            StructKeys([.alertId, .fromLevel, .toLevel, .escalationReason, .escalatedBy, .notifyContacts, .timestamp])
        case .notificationStatus:
            StructKeys([.alertId, .deliveryMethod, .recipient, .status, .errorReason, .attempts, .timestamp])
        default: sixBuses(kind)
        }
    }

    /// The fields of the six other buses' structs that the decoders read (and the keys that tell a
    /// plain map's kind); the others are skipped as unknown keys.
    private static func sixBuses(_ kind: GaterMessageKind) -> StructKeys {
        switch kind {
        case .systemLifecycle: StructKeys([.event, .systemName, .version, .node, .timestamp])
        case .systemConfig: StructKeys([.component, .changes, .node, .timestamp])
        case .featureToggle: StructKeys([.feature, .enabled, .node, .timestamp])
        case .nodeLifecycle: StructKeys([.node, .event, .clusterSize, .metadata, .timestamp])
        case .processLifecycle: StructKeys([.pid, .name, .module, .event, .node, .restartCount, .timestamp])
        case .supervision: StructKeys([.supervisor, .event, .node, .timestamp])
        case .clusterMembership:
            StructKeys([
                .event, .affectedNodes, .activeNodes, .totalNodes, .quorumStatus, .originatingNode, .node, .timestamp,
            ])
        case .dataChange: StructKeys([.resourceType, .action, .changes, .metadata, .node, .timestamp])
        case .adminAction: StructKeys([.actionType, .details, .node, .timestamp])
        case .accessLog: StructKeys([.resourceType, .action, .success, .durationMs, .node, .timestamp])
        case .complianceEvent: StructKeys([.eventType, .automated, .metadata, .node, .timestamp])
        case .debugTrace: StructKeys([.component, .operation, .durationMs, .node, .metadata, .timestamp])
        case .performanceAnalysis:
            StructKeys([.component, .analysisType, .findings, .severity, .node, .timestamp])
        case .systemState: StructKeys([.snapshotType, .processCount, .memoryUsage, .node, .timestamp])
        case .errorAnalysis: StructKeys([.errorType, .frequency, .node, .timestamp])
        case .authEvent: StructKeys([.eventType, .authMethod, .node, .metadata, .timestamp])
        case .accessViolation: StructKeys([.violationType, .severity, .metadata, .node, .timestamp])
        case .securityAlert:
            StructKeys([.alertType, .severity, .description, .affectedUsers, .node, .metadata, .timestamp])
        case .sessionEvent: StructKeys([.eventType, .durationMs, .node, .timestamp])
        case .logEntry: StructKeys([.level, .module, .node, .pid, .metadata, .timestamp])
        case .logSummary: StructKeys([.logCounts, .errorRate, .totalLogs, .node, .timestamp])
        case .logFilter: StructKeys([.filterType, .action, .enabled, .metadata, .node, .timestamp])
        case .logRotation: StructKeys([.logType, .fileSize, .entriesCount, .node, .timestamp])
        // No struct: the keys of ExESDB's LoggingPublisher map.
        default: StructKeys([.component, .eventType, .pid, .metadata, .node, .timestamp])
        }
    }
}
