/// `body`'s result, or a failure after `timeout`, so that a test waiting on a peer never hangs.
public func withTimeout<T: Sendable>(
    _ timeout: Duration, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            // The last look: a body that could finish by now but has not run yet (a loaded pool
            // runs both late, at once) goes first and wins.
            await Task.yield()
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw ErlangTools.Failure(description: "timed out after \(timeout)")
        }
        return value
    }
}
