/// Writes families in either format. Families render in name order and series in label order,
/// so two scrapes of the same state are byte-identical. Only copies: every fixed piece comes
/// from the family's `FamilyText`, every label set from its series.
struct ExpositionRenderer {
    let format: ExpositionFormat
    var bytes: [UInt8]

    init(format: ExpositionFormat, bytes: consuming [UInt8]) {
        self.format = format
        self.bytes = bytes
    }

    mutating func write(_ family: MetricFamily, series: [Series]) {
        let text = family.text(format)
        bytes.append(contentsOf: text.metadata)
        let openMetrics = format == .openMetrics
        switch family.descriptor.type {
        case .counter:
            for item in series {
                line(text.sample, item.labels, item.value)
                if openMetrics { timestampLine(text.created, item.labels, item.created) }
            }
        case .gauge, .info:
            for item in series { line(text.sample, item.labels, item.value) }
        case .stateset:
            for item in series {
                let current = Int(item.value)
                for (index, state) in text.states.enumerated() {
                    line(text.sample, item.labels, state, index == current ? 1 : 0)
                }
            }
        case .histogram:
            for item in series {
                writeHistogram(text, item)
                if openMetrics { timestampLine(text.created, item.labels, item.created) }
            }
        }
    }

    mutating func finish() {
        if format == .openMetrics { bytes.append(contentsOf: "# EOF\n".utf8) }
    }

    private mutating func writeHistogram(_ text: FamilyText, _ series: Series) {
        guard let cells = series.histogram else { return }
        cells.read { cells in
            var cumulative: UInt64 = 0
            for (index, tail) in text.buckets.enumerated() {
                cumulative &+= cells.counts[index]
                head(text.bucket, series.labels, tail)
                SampleValue.appendInteger(cumulative, to: &bytes)
                bytes.append(UInt8(ascii: "\n"))
            }
            line(text.count, series.labels, Double(cells.count))
            line(text.sum, series.labels, cells.sum)
        }
    }

    /// `name{labels} value` or `name value`.
    private mutating func line(_ name: FamilyText.Head, _ labels: LabelBytes, _ value: Double) {
        head(name, labels)
        SampleValue.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// `name{labels,extra="x"} value` or `name{extra="x"} value`.
    private mutating func line(_ name: FamilyText.Head, _ labels: LabelBytes, _ tail: FamilyText.Tail, _ value: Double)
    {
        head(name, labels, tail)
        SampleValue.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    private mutating func timestampLine(_ name: FamilyText.Head, _ labels: LabelBytes, _ seconds: Double) {
        head(name, labels)
        SampleValue.appendTimestamp(seconds, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    private mutating func head(_ name: FamilyText.Head, _ labels: LabelBytes) {
        if labels.isEmpty {
            bytes.append(contentsOf: name.bare)
        } else {
            bytes.append(contentsOf: name.withLabels)
            bytes.append(contentsOf: labels.buffer)
            bytes.append(UInt8(ascii: "}"))
            bytes.append(UInt8(ascii: " "))
        }
    }

    private mutating func head(_ name: FamilyText.Head, _ labels: LabelBytes, _ tail: FamilyText.Tail) {
        bytes.append(contentsOf: name.withLabels)
        if labels.isEmpty {
            bytes.append(contentsOf: tail.alone)
        } else {
            bytes.append(contentsOf: labels.buffer)
            bytes.append(contentsOf: tail.afterLabels)
        }
    }
}

extension MetricsStore {
    /// One scrape's body: collectors run, expired series go, every family renders.
    public func render(_ format: ExpositionFormat) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(renderCapacityHint)
        render(format, into: &bytes)
        return bytes
    }

    /// Appends one scrape's body to `bytes`, so a caller can reuse one buffer across scrapes.
    public func render(_ format: ExpositionFormat, into bytes: inout [UInt8]) {
        runCollectors()
        let cutoff = expiryCutoff
        // Expire first, everywhere, so the store's own counts below describe this very scrape.
        let families = sortedFamilies().map { ($0, $0.snapshot(expiringBefore: cutoff)) }
        refreshSelfMetrics()
        let start = bytes.count
        var renderer = ExpositionRenderer(format: format, bytes: bytes)
        bytes = []
        for (family, series) in families { renderer.write(family, series: series) }
        renderer.finish()
        bytes = renderer.bytes
        noteRenderSize(bytes.count - start)
    }
}
