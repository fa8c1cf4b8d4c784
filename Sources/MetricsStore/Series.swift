import Synchronization

/// One labelled time series. Counter, gauge and info values are a `Double` held as its bit
/// pattern in an atomic; a stateset holds the index of its current state; a histogram keeps its
/// cells behind a lock of its own. Updates never take a family or store lock.
@usableFromInline final class Series: Sendable {
    /// `n1="v1",n2="v2"`: the sample line's label text, compared in place by lookups.
    let labels: LabelBytes
    /// The hash of the label values the family finds the series by.
    let hash: Int
    /// Seconds since the Unix epoch when the series was created (OpenMetrics `_created`).
    let created: Double
    @usableFromInline let bits: Atomic<UInt64>
    /// The store's clock tick of the last update, for the TTL.
    @usableFromInline let touchedTick: Atomic<Int64>
    let histogram: HistogramCells?
    /// Set once the family has removed the series (expired, or all removed): a handle held on
    /// it must be looked up again, or its updates would go where no scrape looks.
    @usableFromInline let retiredFlag = Atomic<Bool>(false)

    init(labels: [UInt8], hash: Int, created: Double, tick: Int64, bucketCount: Int?) {
        self.labels = LabelBytes(labels)
        self.hash = hash
        self.created = created
        self.bits = Atomic(0)
        self.touchedTick = Atomic(tick)
        self.histogram = bucketCount.map(HistogramCells.init(bucketCount:))
    }

    deinit { labels.deallocate() }

    @inlinable var isRetired: Bool { retiredFlag.load(ordering: .acquiring) }

    func retire() { retiredFlag.store(true, ordering: .releasing) }

    var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
    var lastTouch: Int64 { touchedTick.load(ordering: .relaxed) }

    @inlinable func touch(_ tick: Int64) {
        // A plain store: concurrent writers all write "now"; skip the write when unchanged to keep
        // the cache line shared.
        if touchedTick.load(ordering: .relaxed) != tick { touchedTick.store(tick, ordering: .relaxed) }
    }

    @inlinable func set(_ value: Double) {
        bits.store(value.bitPattern, ordering: .relaxed)
    }

    @inlinable func add(_ delta: Double) {
        var current = bits.load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + delta).bitPattern
            let (exchanged, original) = bits.weakCompareExchange(
                expected: current, desired: next, successOrdering: .relaxed, failureOrdering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}

/// A histogram's bucket counts, sum and count, updated together so a scrape never sees a count
/// that disagrees with its buckets.
@usableFromInline final class HistogramCells: Sendable {
    struct Snapshot {
        /// Non-cumulative counts per bucket, the last one for +Inf.
        var counts: [UInt64]
        var sum: Double
        var count: UInt64
    }

    private let cells: Mutex<Snapshot>

    init(bucketCount: Int) {
        cells = Mutex(Snapshot(counts: Array(repeating: 0, count: bucketCount + 1), sum: 0, count: 0))
    }

    @usableFromInline func observe(_ value: Double, bucket: Int) {
        cells.withLock { cells in
            cells.counts[bucket] &+= 1
            cells.sum += value
            cells.count &+= 1
        }
    }

    /// Reads the cells under their lock without copying them.
    func read<Result>(_ body: (borrowing Snapshot) -> Result) -> Result { cells.withLock { body($0) } }
}

/// A series' rendered labels in memory of their own: rendering reads them on every scrape for
/// every sample, and an array there would be retained and released each time.
struct LabelBytes: @unchecked Sendable {  // Immutable after init; freed only by its Series' deinit.
    let buffer: UnsafeBufferPointer<UInt8>

    init(_ bytes: [UInt8]) {
        let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = storage.initialize(from: bytes)
        buffer = UnsafeBufferPointer(storage)
    }

    var isEmpty: Bool { buffer.isEmpty }

    func deallocate() { buffer.deallocate() }
}
