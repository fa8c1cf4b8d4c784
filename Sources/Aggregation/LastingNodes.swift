import Synchronization

/// The nodes that own series outliving the TTL (their version, start time and features), with the
/// version each reported: bounded, so that made-up node names cannot pile up series that never
/// expire. Past `capacity` nodes, the one heard from least recently gives up its series.
final class LastingNodes: Sendable {
    struct Version: Equatable, Sendable {
        var system: String
        var version: String
    }

    private struct Entry {
        var version: Version?
        var lastSeen: Double
    }

    let capacity: Int
    private let nodes = Mutex<[String: Entry]>([:])

    init(capacity: Int = 1024) { self.capacity = capacity }

    /// Notes that `node` owns lasting series at `now`, with `version` when given. Returns whether
    /// the version differs from the one it had (so its old info series must go), and the node
    /// that made room, if one had to.
    func note(_ node: String, version: Version? = nil, at now: Double) -> (changed: Bool, evicted: String?) {
        let node = LabelText.capped(node)
        let version = version.map {
            Version(system: LabelText.capped($0.system), version: LabelText.capped($0.version))
        }
        return nodes.withLock { nodes in
            var evicted: String?
            if nodes[node] == nil, nodes.count >= capacity {
                evicted = nodes.min { $0.value.lastSeen < $1.value.lastSeen }?.key
                if let evicted { nodes[evicted] = nil }
            }
            var entry = nodes[node] ?? Entry(version: nil, lastSeen: now)
            let changed = version != nil && entry.version != nil && entry.version != version
            if let version { entry.version = version }
            entry.lastSeen = now
            nodes[node] = entry
            return (changed, evicted)
        }
    }

    /// Forgets the node (it stopped, or is no longer followed).
    func forget(_ node: String) { _ = nodes.withLock { $0.removeValue(forKey: LabelText.capped(node)) } }

    var count: Int { nodes.withLock { $0.count } }
}
