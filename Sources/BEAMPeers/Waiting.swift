import Foundation

/// Looks for a value with `look` every `interval` until it finds one; after `timeout` it looks once
/// more and returns nil if that finds nothing either. The last look is what makes the deadline
/// fair on a loaded machine: when the task itself was held up past the deadline (a starved
/// pool, a stalled machine), whatever happened meanwhile is still seen, instead of failing a
/// test whose condition has long held.
public func poll<T>(
    timeout: Duration, every interval: Duration = .milliseconds(20), _ look: () async throws -> T?
) async throws -> T? {
    let deadline = ContinuousClock.now + timeout
    while true {
        // Read before looking: a look that starts at or after the deadline is the last one.
        let expired = ContinuousClock.now >= deadline
        if let found = try await look() { return found }
        if expired { return nil }
        try await Task.sleep(for: min(interval, max(deadline - .now, .zero)))
    }
}

/// Polls `condition` every `interval` until it holds; throws naming `what` when it does not hold
/// even at a last look after `timeout`.
public func eventually(
    _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws {
    let held = try await poll(timeout: timeout, every: interval) { try await condition() ? true : nil }
    if held == nil { throw ErlangTools.Failure(description: "not \(what) within \(timeout)") }
}

/// The moment `condition` was first seen to hold, watched from a thread of its own every
/// millisecond, so that a loaded cooperative pool does not delay the observation: for tests that
/// measure how long the code under test took to do something it does on its own threads (an
/// event loop declaring a peer dead). Nil when it did not hold within `timeout`.
public func momentWhen(
    timeout: Duration, _ condition: @escaping @Sendable () -> Bool
) async throws -> ContinuousClock.Instant? {
    try await offThePool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let expired = ContinuousClock.now >= deadline
            if condition() { return ContinuousClock.now }
            if expired { return nil }
            usleep(1000)  // On this thread only: it is no thread of the pool.
        }
    }
}

/// Runs `body`, then `cleanup` whether `body` threw or not: a `defer` that can wait (for a script
/// to clean up after itself, say) without blocking a thread.
public func withCleanup<T>(
    _ body: () async throws -> T, finally cleanup: () async -> Void
) async rethrows -> T {
    let result: T
    do {
        result = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return result
}
