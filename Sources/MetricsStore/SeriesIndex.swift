/// The series of one family by the hash of their label values: open addressing with linear
/// probing and backward-shift removal. Lookups hash nothing again (the standard dictionary would
/// hash the hash) and allocate nothing.
struct SeriesIndex {
    private var slots: [Series?] = Array(repeating: nil, count: 16)
    private(set) var count = 0

    private var mask: Int { slots.count - 1 }

    /// The first series with `hash` that `matches` accepts.
    func find(hash: Int, where matches: (Series) -> Bool) -> Series? {
        var slot = hash & mask
        while let series = slots[slot] {
            if series.hash == hash, matches(series) { return series }
            slot = (slot + 1) & mask
        }
        return nil
    }

    mutating func insert(_ series: Series) {
        if (count + 1) * 2 > slots.count { grow() }
        var slot = series.hash & mask
        while slots[slot] != nil { slot = (slot + 1) & mask }
        slots[slot] = series
        count += 1
    }

    mutating func remove(_ series: Series) {
        var slot = series.hash & mask
        while let occupant = slots[slot], occupant !== series { slot = (slot + 1) & mask }
        guard slots[slot] != nil else { return }
        slots[slot] = nil
        count -= 1
        // Pull later members of the probe run back into the hole, so no lookup stops early.
        var hole = slot
        var next = (slot + 1) & mask
        while let moving = slots[next] {
            let home = moving.hash & mask
            if (next &- home) & mask >= (next &- hole) & mask {
                slots[hole] = moving
                slots[next] = nil
                hole = next
            }
            next = (next + 1) & mask
        }
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: nil, count: old.count * 2)
        count = 0
        for case let series? in old { insert(series) }
    }
}
