/// Every fixed piece of a family's sample lines in one format, rendered once when the family is
/// registered: the metadata block, `name{` / `name ` heads, and for histograms and statesets the
/// tail of each bucket's or state's labels. A scrape then only copies these pieces, the series'
/// labels and the numbers.
final class FamilyText: @unchecked Sendable {  // Immutable after init; the arena is freed in deinit.
    /// A piece of the arena.
    typealias Piece = UnsafeBufferPointer<UInt8>

    /// A sample's name, as written before labels (`name{`) or without any (`name `).
    struct Head {
        var withLabels: Piece
        var bare: Piece
    }

    /// The labels a bucket or state adds: after the series' labels (`,le="0.5"} `) or alone
    /// (`le="0.5"} `).
    struct Tail {
        var afterLabels: Piece
        var alone: Piece
    }

    let metadata: Piece
    let sample: Head
    let created: Head
    let bucket: Head
    let count: Head
    let sum: Head
    let buckets: [Tail]
    let states: [Tail]
    private let arena: UnsafeMutableBufferPointer<UInt8>

    init(_ descriptor: FamilyDescriptor, format: ExpositionFormat) {
        var builder = ArenaBuilder()
        let name = Self.metadataName(descriptor, format)
        let metadata = builder.add(Self.metadata(descriptor, name: name, format: format))
        let sample = builder.head(descriptor.name)
        let created = builder.head(name + "_created")
        let bucket = builder.head(name + "_bucket")
        let count = builder.head(name + "_count")
        let sum = builder.head(name + "_sum")
        let buckets = (descriptor.buckets + [.infinity]).map { builder.tail("le", SampleValue.text(of: $0)) }
        let states = descriptor.states.map { builder.tail(descriptor.name, $0) }
        arena = builder.finish()
        let base = UnsafeBufferPointer(arena)
        func piece(_ range: Range<Int>) -> Piece { UnsafeBufferPointer(rebasing: base[range]) }
        func head(_ ranges: (Range<Int>, Range<Int>)) -> Head {
            Head(withLabels: piece(ranges.0), bare: piece(ranges.1))
        }
        func tail(_ ranges: (Range<Int>, Range<Int>)) -> Tail {
            Tail(afterLabels: piece(ranges.0), alone: piece(ranges.1))
        }
        self.metadata = piece(metadata)
        self.sample = head(sample)
        self.created = head(created)
        self.bucket = head(bucket)
        self.count = head(count)
        self.sum = head(sum)
        self.buckets = buckets.map(tail)
        self.states = states.map(tail)
    }

    deinit { arena.deallocate() }

    /// OpenMetrics names a counter family without `_total` and an info family without `_info`.
    static func metadataName(_ descriptor: FamilyDescriptor, _ format: ExpositionFormat) -> String {
        guard format == .openMetrics else { return descriptor.name }
        switch descriptor.type {
        case .counter where descriptor.name.hasSuffix("_total"): return String(descriptor.name.dropLast(6))
        case .info where descriptor.name.hasSuffix("_info"): return String(descriptor.name.dropLast(5))
        default: return descriptor.name
        }
    }

    /// `# HELP`, `# TYPE` and, in OpenMetrics, `# UNIT`. The 0.0.4 format has no stateset or
    /// info: they are gauges there.
    private static func metadata(_ descriptor: FamilyDescriptor, name: String, format: ExpositionFormat) -> [UInt8] {
        var type = descriptor.type.rawValue
        if format == .prometheusText, descriptor.type == .stateset || descriptor.type == .info { type = "gauge" }
        var text = "# HELP \(name) \(escapedHelp(descriptor.help, format))\n# TYPE \(name) \(type)\n"
        if format == .openMetrics, let unit = descriptor.unit { text += "# UNIT \(name) \(unit)\n" }
        return Array(text.utf8)
    }

    /// Help text escaping: backslash and line feed in both formats, double quote in OpenMetrics.
    private static func escapedHelp(_ help: String, _ format: ExpositionFormat) -> String {
        var escaped = help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
        if format == .openMetrics { escaped = escaped.replacingOccurrences(of: "\"", with: "\\\"") }
        return escaped
    }
}

/// Collects pieces into one buffer, remembering where each one lies.
private struct ArenaBuilder {
    var bytes: [UInt8] = []

    mutating func add(_ piece: [UInt8]) -> Range<Int> {
        let start = bytes.count
        bytes.append(contentsOf: piece)
        return start..<bytes.count
    }

    mutating func head(_ name: String) -> (Range<Int>, Range<Int>) {
        (add(Array((name + "{").utf8)), add(Array((name + " ").utf8)))
    }

    mutating func tail(_ label: String, _ value: String) -> (Range<Int>, Range<Int>) {
        var escaped: [UInt8] = []
        value.utf8.withContiguousStorageIfAvailable { LabelSet.appendEscaped($0, into: &escaped) }
        let pair = Array("\(label)=\"".utf8) + escaped + Array("\"} ".utf8)
        return (add([UInt8(ascii: ",")] + pair), add(pair))
    }

    func finish() -> UnsafeMutableBufferPointer<UInt8> {
        let arena = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        _ = arena.initialize(from: bytes)
        return arena
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
