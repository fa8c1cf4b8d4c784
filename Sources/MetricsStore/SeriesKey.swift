/// Label values with their hash computed once: a message that updates several families with the
/// same labels (a LatencyMetric updates three) hashes them once, not once per family.
public struct SeriesKey: Sendable {
    public let values: [String]
    let hash: Int
    let maxValueBytes: Int

    /// The key of `values` (in the order of the families' label names) in `store`.
    public init(_ values: [String], in store: MetricsStore) {
        self.values = values
        maxValueBytes = store.context.maxLabelValueBytes
        hash = LabelSet.hash(values, count: values.count, maxValueBytes: maxValueBytes)
    }

    /// The hash as `family` finds its series by, made again only when the key was made for
    /// another number of labels or another cap.
    func hash(for labelCount: Int, maxValueBytes cap: Int) -> Int {
        guard labelCount == values.count, cap == maxValueBytes else {
            return LabelSet.hash(values, count: labelCount, maxValueBytes: cap)
        }
        return hash
    }
}
