/// The nodes of a `TermView`, in memory the parser allocated for them.
///
/// Not an array: allocating an array of nodes looked its generic storage class up in the
/// runtime's metadata cache every time, which cost as much as parsing a small term.
struct TermTape: Sendable {
    private let storage: Storage

    /// Owns the nodes. The parser fills them before any other thread can see them and nothing
    /// writes them after, so sharing them across threads is safe.
    private final class Storage: @unchecked Sendable {
        let nodes: UnsafeMutablePointer<TermNode>
        let count: Int

        init(nodes: UnsafeMutablePointer<TermNode>, count: Int) {
            self.nodes = nodes
            self.count = count
        }

        deinit { nodes.deallocate() }
    }

    /// Takes ownership of `nodes`, of which the first `count` are initialized.
    init(taking nodes: UnsafeMutablePointer<TermNode>, count: Int) {
        storage = Storage(nodes: nodes, count: count)
    }

    var count: Int { storage.count }

    @inline(__always)
    subscript(index: Int) -> TermNode {
        precondition(index >= 0 && index < storage.count, "node index out of range: a TermRef of another view")
        return storage.nodes[index]
    }

    @inline(__always)
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<TermNode>) -> R) -> R {
        withExtendedLifetime(storage) { body(UnsafeBufferPointer(start: storage.nodes, count: storage.count)) }
    }
}
