import Dispatch

/// Runs a blocking call (a child process, a file read) on a Dispatch thread, so that it never
/// holds one of the few threads of Swift's cooperative pool: a test that waits on `curl` while
/// the server it talks to needs that pool would otherwise stall both.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try body() })
        }
    }
}
