import Dispatch
import Foundation
import Synchronization

/// Runs a blocking call (a child process run to completion, a socket read, a file written and
/// synced) on a thread of its own, so that it never holds one of the few threads of Swift's
/// cooperative pool (as many as the machine has cores: two here), which the code under test
/// needs too. Not Dispatch's global queue: its width is limited as well, and a few long waits
/// there queue everything behind them.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Runs `body` (and its child tasks) on a thread of its own instead of the cooperative pool: for
/// the long stretches of work in a test that seldom or never suspend (building 10,000 mutants,
/// decoding and checking 10^5 messages as they arrive). It is still the same task, so
/// `#expect` and the other task-locals work inside. Tasks it starts with `Task {}` run on the
/// pool as usual.
public func onOwnThread<T>(_ body: () async throws -> T) async rethrows -> T {
    try await withTaskExecutorPreference(OwnThreadExecutor(), operation: body)
}

/// A task executor with one thread of its own while it has jobs; the thread ends once it has
/// been idle for a second, and a job enqueued after that starts another.
final class OwnThreadExecutor: TaskExecutor {
    private struct State {
        var jobs: [UnownedJob] = []
        var hasThread = false
    }

    private let state = Mutex(State())
    /// One signal per job enqueued.
    private let pending = DispatchSemaphore(value: 0)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let startThread = state.withLock { state in
            state.jobs.append(job)
            defer { state.hasThread = true }
            return !state.hasThread
        }
        pending.signal()
        if startThread { Thread { [self] in work() }.start() }
    }

    private func work() {
        while true {
            guard pending.wait(timeout: .now() + 1) == .success else {
                let done = state.withLock { state in
                    // A job enqueued while the wait timed out has signalled: take it next round.
                    if state.jobs.isEmpty { state.hasThread = false }
                    return !state.hasThread
                }
                if done { return }
                continue
            }
            let job = state.withLock { $0.jobs.removeFirst() }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
