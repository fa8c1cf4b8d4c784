import Synchronization

/// What a stream delivers (a `LocalNode` mailbox's messages), gathered by a task of its own until
/// `stop`, so that a test or a benchmark can take out the one answer it waits for, whatever
/// arrived before or beside it.
public final class Collector<Element: Sendable>: Sendable {
    private let gathered: Gathered
    private let task: Task<Void, Never>

    /// Gathers what `keep` makes of each element of `stream` (nil drops it), in arrival order.
    public init<Source: Sendable>(_ stream: AsyncStream<Source>, _ keep: @escaping @Sendable (Source) -> Element?) {
        let gathered = Gathered()
        self.gathered = gathered
        task = Task {
            for await element in stream {
                if let kept = keep(element) { gathered.elements.withLock { $0.append(kept) } }
            }
        }
    }

    deinit {
        task.cancel()
    }

    /// Takes out the first element `match` accepts, and what it made of it; nil when none has yet.
    public func take<T: Sendable>(_ match: (Element) -> T?) -> T? {
        gathered.elements.withLock { elements -> T? in
            for (index, element) in elements.enumerated() {
                if let found = match(element) {
                    elements.remove(at: index)
                    return found
                }
            }
            return nil
        }
    }

    /// Waits for an element `match` accepts and takes it out, as `poll` waits (a last look after
    /// `timeout`); nil when none came.
    public func next<T: Sendable>(
        timeout: Duration, every interval: Duration = .milliseconds(20), _ match: (Element) -> T?
    ) async throws -> T? {
        try await poll(timeout: timeout, every: interval) { take(match) }
    }

    /// Forgets what `predicate` accepts: answers to an earlier question that came too late.
    public func removeAll(where predicate: (Element) -> Bool) {
        gathered.elements.withLock { $0.removeAll(where: predicate) }
    }

    /// Ends the gathering; what was gathered stays.
    public func stop() {
        task.cancel()
    }

    private final class Gathered: Sendable {
        let elements = Mutex<[Element]>([])
    }
}
