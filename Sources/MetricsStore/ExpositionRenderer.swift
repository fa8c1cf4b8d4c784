/// Writes families in either format. Families render in name order and series in label order,
/// so two scrapes of the same state are byte-identical.
struct ExpositionRenderer {
    let format: ExpositionFormat
    var bytes: [UInt8] = []

    init(format: ExpositionFormat, capacity: Int) {
        self.format = format
        bytes.reserveCapacity(capacity)
    }

    mutating func write(_ family: MetricFamily, series: [Series]) {
        let descriptor = family.descriptor
        let name = Array(metadataName(descriptor).utf8)
        writeMetadata(descriptor, name: name)
        switch descriptor.type {
        case .counter:
            let sample = Array(descriptor.name.utf8)
            let created = Array((metadataName(descriptor) + "_created").utf8)
            for item in series {
                writeSample(sample, item.labels, value: item.value)
                if format == .openMetrics { writeSample(created, item.labels, value: item.created) }
            }
        case .gauge, .info:
            let sample = Array(descriptor.name.utf8)
            for item in series { writeSample(sample, item.labels, value: item.value) }
        case .stateset:
            for item in series { writeStates(family, name: name, item) }
        case .histogram:
            for item in series { writeHistogram(family, name: name, item) }
        }
    }

    mutating func finish() {
        if format == .openMetrics { bytes.append(contentsOf: "# EOF\n".utf8) }
    }

    /// OpenMetrics names a counter family without `_total` and an info family without `_info`.
    private func metadataName(_ descriptor: FamilyDescriptor) -> String {
        guard format == .openMetrics else { return descriptor.name }
        switch descriptor.type {
        case .counter where descriptor.name.hasSuffix("_total"): return String(descriptor.name.dropLast(6))
        case .info where descriptor.name.hasSuffix("_info"): return String(descriptor.name.dropLast(5))
        default: return descriptor.name
        }
    }

    private mutating func writeMetadata(_ descriptor: FamilyDescriptor, name: [UInt8]) {
        bytes.append(contentsOf: "# HELP ".utf8)
        bytes.append(contentsOf: name)
        bytes.append(UInt8(ascii: " "))
        appendHelp(descriptor.help)
        bytes.append(contentsOf: "\n# TYPE ".utf8)
        bytes.append(contentsOf: name)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: typeName(descriptor.type).utf8)
        bytes.append(UInt8(ascii: "\n"))
        if format == .openMetrics, let unit = descriptor.unit {
            bytes.append(contentsOf: "# UNIT ".utf8)
            bytes.append(contentsOf: name)
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: unit.utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
    }

    /// The 0.0.4 format has no stateset or info: they are gauges there.
    private func typeName(_ type: MetricType) -> String {
        switch (type, format) {
        case (.stateset, .prometheusText), (.info, .prometheusText): "gauge"
        default: type.rawValue
        }
    }

    /// Help text escaping: backslash and line feed in both formats, double quote in OpenMetrics.
    private mutating func appendHelp(_ help: String) {
        for byte in help.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\"") where format == .openMetrics: bytes.append(contentsOf: #"\""#.utf8)
            default: bytes.append(byte)
            }
        }
    }

    private mutating func writeSample(_ name: [UInt8], _ labels: [UInt8], value: Double) {
        bytes.append(contentsOf: name)
        if !labels.isEmpty {
            bytes.append(UInt8(ascii: "{"))
            bytes.append(contentsOf: labels)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: " "))
        SampleValue.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// `name{labels,extra="value"} number`
    private mutating func writeSample(
        _ name: [UInt8], suffix: String, _ labels: [UInt8], extraName: [UInt8], extraValue: [UInt8], value: Double
    ) {
        bytes.append(contentsOf: name)
        bytes.append(contentsOf: suffix.utf8)
        bytes.append(UInt8(ascii: "{"))
        if !labels.isEmpty {
            bytes.append(contentsOf: labels)
            bytes.append(UInt8(ascii: ","))
        }
        bytes.append(contentsOf: extraName)
        bytes.append(contentsOf: #"=""#.utf8)
        bytes.append(contentsOf: extraValue)
        bytes.append(contentsOf: #""} "#.utf8)
        SampleValue.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// One sample per state, 1 for the current one; the state label is named like the family.
    private mutating func writeStates(_ family: MetricFamily, name: [UInt8], _ series: Series) {
        let current = Int(series.value)
        for (index, state) in family.stateNames.enumerated() {
            writeSample(
                name, suffix: "", series.labels, extraName: name, extraValue: state, value: index == current ? 1 : 0)
        }
    }

    private mutating func writeHistogram(_ family: MetricFamily, name: [UInt8], _ series: Series) {
        guard let cells = series.histogram else { return }
        cells.read { cells in
            var cumulative: UInt64 = 0
            for (index, bound) in family.bucketLabels.enumerated() {
                cumulative &+= cells.counts[index]
                writeSample(
                    name, suffix: "_bucket", series.labels, extraName: Self.le, extraValue: bound,
                    value: Double(cumulative))
            }
            writeSuffixed(name, "_count", series.labels, value: Double(cells.count))
            writeSuffixed(name, "_sum", series.labels, value: cells.sum)
        }
        if format == .openMetrics { writeSuffixed(name, "_created", series.labels, value: series.created) }
    }

    private mutating func writeSuffixed(_ name: [UInt8], _ suffix: String, _ labels: [UInt8], value: Double) {
        bytes.append(contentsOf: name)
        bytes.append(contentsOf: suffix.utf8)
        if !labels.isEmpty {
            bytes.append(UInt8(ascii: "{"))
            bytes.append(contentsOf: labels)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: " "))
        SampleValue.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    private static let le = Array("le".utf8)
}

extension MetricsStore {
    /// One scrape's body: collectors run, expired series go, every family renders.
    public func render(_ format: ExpositionFormat) -> [UInt8] {
        runCollectors()
        advanceClock()
        let cutoff = expiryCutoff
        // Expire first, everywhere, so the store's own counts below describe this very scrape.
        let families = sortedFamilies().map { ($0, $0.snapshot(expiringBefore: cutoff)) }
        refreshSelfMetrics()
        var renderer = ExpositionRenderer(format: format, capacity: renderCapacityHint)
        for (family, series) in families { renderer.write(family, series: series) }
        renderer.finish()
        noteRenderSize(renderer.bytes.count)
        return renderer.bytes
    }
}
