import Foundation
import Synchronization

/// Lets only a few BEAMs start at once (`erl` nodes, `erl -eval` runs, `erlc`): a BEAM's start
/// takes most of a core for a second or so, and the suites together start a score of them in
/// their first seconds. Started all at once on two cores, each took over 20 s; in turns, each
/// takes about its own time, and the total is no longer. A wait for a slot suspends; it blocks
/// no thread.
public final class StartupSlots: Sendable {
    /// The slots for BEAM starts: one per core, at least two.
    public static let beams = StartupSlots(count: max(2, ProcessInfo.processInfo.activeProcessorCount))

    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    public init(count: Int) {
        state = Mutex(State(free: count))
    }

    /// Runs `body` once a slot is free, and frees it after.
    public func withSlot<T>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state in
                guard state.free > 0 else {
                    state.waiting.append(continuation)
                    return false
                }
                state.free -= 1
                return true
            }
            if granted { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
