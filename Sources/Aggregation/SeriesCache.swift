import MetricsStore
import Synchronization

/// The handles of a message kind's series, for one label set.
protocol SeriesHandles: AnyObject, Sendable {
    /// False once the store has removed any of them (TTL expiry): they are looked up again.
    var isLive: Bool { get }
    /// False when the store refused some of them (its series limit): such handles serve one
    /// message and are not kept, so the next message asks the store again.
    var isComplete: Bool { get }
}

/// The series a message kind updates, by the label values they were made for, so that a message
/// whose label set came before updates them directly: no hash through the store, no family lock.
/// Messages come back with the same few label sets (each node reports the same operations over and
/// over), so a small table serves nearly all of them.
///
/// Direct-mapped, 256 slots by a cheap digest of the values (their lengths and outer bytes; the
/// values themselves decide a match), each slot behind a lock of its own, so the event loops
/// updating different label sets do not meet.
final class SeriesCache<Handles: SeriesHandles>: Sendable {
    /// Not optional: its parts are read in place, where binding an optional entry copied it
    /// (a retain and release of each label and of the handles).
    private struct Entry {
        var labels = Labels("", "", "")
        var handles: Handles?
    }

    private final class Slot: Sendable {
        let entry = Mutex<Entry>(Entry())
    }

    private static var size: Int { 256 }
    private let slots: [Slot] = (0..<SeriesCache.size).map { _ in Slot() }

    /// The handles of `labels`: those made before when still live, else `make`'s (kept for the
    /// next time when complete).
    func handles(_ labels: Labels, make: () -> Handles) -> Handles {
        let slot = slots[Self.digest(labels) & (Self.size - 1)]
        if let known = slot.entry.withLock({ entry -> Handles? in
            guard entry.labels == labels, let handles = entry.handles, handles.isLive else { return nil }
            return handles
        }) {
            return known
        }
        let made = make()
        if made.isComplete { slot.entry.withLock { $0 = Entry(labels: labels, handles: made) } }
        return made
    }

    /// A slot index only, never trusted for equality: each value's length and first and last
    /// eight bytes.
    private static func digest(_ labels: Labels) -> Int {
        var digest: UInt64 = 0xCBF2_9CE4_8422_2325
        mix(labels.first, into: &digest)
        mix(labels.second, into: &digest)
        mix(labels.third, into: &digest)
        return Int(truncatingIfNeeded: digest ^ (digest >> 29))
    }

    private static func mix(_ label: String, into digest: inout UInt64) {
        // In place: a copy of the String to call `withUTF8` on cost a retain and release each.
        let mixed = label.utf8.withContiguousStorageIfAvailable { bytes in
            var mixed = (digest ^ UInt64(bytes.count)) &* 0x100_0000_01B3
            mixed = (mixed ^ word(bytes, from: 0)) &* 0x100_0000_01B3
            return (mixed ^ word(bytes, from: max(0, bytes.count - 8))) &* 0x100_0000_01B3
        }
        // Only a bridged string has no contiguous UTF-8, and there are none on Linux.
        digest = mixed ?? (digest ^ UInt64(label.utf8.count)) &* 0x100_0000_01B3
    }

    /// Eight bytes from `start` as one load when there are eight; fewer one at a time.
    private static func word(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt64 {
        if bytes.count - start >= 8 {
            return UnsafeRawBufferPointer(bytes).loadUnaligned(fromByteOffset: start, as: UInt64.self)
        }
        var word: UInt64 = 0
        for index in start..<bytes.count { word = word << 8 | UInt64(bytes[index]) }
        return word
    }
}

/// Up to three label values, held without an array (an array would be a heap object per message).
struct Labels: Equatable, Sendable {
    let first: String
    let second: String
    let third: String

    init(_ first: String, _ second: String, _ third: String = "") {
        (self.first, self.second, self.third) = (first, second, third)
    }
}

/// A series handle that can go stale (its series expired).
protocol LiveSeries: Sendable {
    var isLive: Bool { get }
}

extension CounterSeries: LiveSeries {}
extension GaugeSeries: LiveSeries {}
extension HistogramSeries: LiveSeries {}

/// The three series one message updates; those the store refused (its series limit) are nil,
/// and the store has counted the drop.
final class SeriesTriple<First: LiveSeries, Second: LiveSeries, Third: LiveSeries>: SeriesHandles {
    let first: First?
    let second: Second?
    let third: Third?

    init(_ first: First?, _ second: Second?, _ third: Third?) {
        (self.first, self.second, self.third) = (first, second, third)
    }

    var isLive: Bool { first?.isLive != false && second?.isLive != false && third?.isLive != false }
    var isComplete: Bool { first != nil && second != nil && third != nil }
}
