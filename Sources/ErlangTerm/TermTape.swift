/// The nodes of a `TermView` in memory the parser allocated for them, with the bytes they
/// describe and the atom cache.
///
/// Not an array: allocating an array of nodes looked its generic storage class up in the
/// runtime's metadata cache every time, which cost as much as parsing a small term. The bytes
/// live here rather than in the view because a view is copied into every reader of a message,
/// and each copy costs one retain per reference it holds: this way, one.
struct TermTape: Sendable {
    private let storage: Storage

    /// Owns the nodes. The parser fills them before any other thread can see them and nothing
    /// writes them after, so sharing them across threads is safe.
    private final class Storage: @unchecked Sendable {
        let nodes: UnsafeMutablePointer<TermNode>
        let count: Int
        let bytes: [UInt8]
        let atomCache: [Atom?]

        init(nodes: UnsafeMutablePointer<TermNode>, count: Int, bytes: [UInt8], atomCache: [Atom?]) {
            self.nodes = nodes
            self.count = count
            self.bytes = bytes
            self.atomCache = atomCache
        }

        deinit { nodes.deallocate() }
    }

    /// Takes ownership of `nodes`, of which the first `count` are initialized.
    init(taking nodes: UnsafeMutablePointer<TermNode>, count: Int, bytes: [UInt8], atomCache: [Atom?]) {
        storage = Storage(nodes: nodes, count: count, bytes: bytes, atomCache: atomCache)
    }

    var count: Int { storage.count }
    /// The bytes the nodes describe, kept here so that a view holds one reference in all.
    var bytes: [UInt8] { storage.bytes }
    var atomCache: [Atom?] { storage.atomCache }

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
