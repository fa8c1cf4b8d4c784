import Foundation
import Synchronization

/// Whole seconds since the Unix epoch, kept by a thread of its own that wakes every `period`.
/// Reading it is one atomic load, cheap enough for every update on the ingest path (reading the
/// system clock there costs a vDSO call, 20 to 120 ns on a loaded VM). It moves whether or not
/// anything renders, so a series updated within the TTL is never taken for idle.
@usableFromInline final class CoarseClock: Sendable {
    @usableFromInline static let shared = CoarseClock(period: 0.25)

    @usableFromInline let current: Atomic<Int64>

    private init(period: TimeInterval) {
        current = Atomic(Self.now())
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: period)
                current.store(Self.now(), ordering: .relaxed)
            }
        }
        thread.name = "exesdb-store-clock"
        thread.start()
    }

    @inlinable var seconds: Int64 { current.load(ordering: .relaxed) }

    private static func now() -> Int64 { Int64(Date().timeIntervalSince1970.rounded(.down)) }
}
