import ErlangDistribution
import ErlangTerm

/// One-off calls through a node's `rex` server, each from a process of its own that ends with
/// the call (an answer after the timeout goes nowhere). For calls repeated to the same node, one
/// at a time, use a `RexChannel`.
public struct RexClient: Sendable {
    public let node: LocalNode

    public init(node: LocalNode) { self.node = node }

    /// `module:function(arguments...)` on `peer`.
    public func call(
        _ peer: String, _ module: Atom, _ function: Atom, _ arguments: [Term] = [], timeout: Duration = .seconds(5)
    ) async -> RexReply {
        let channel = RexChannel(node: node, peer: peer)
        return await withTaskGroup(of: Void.self) { reader in
            reader.addTask { await channel.run() }
            let reply = await channel.call(module, function, arguments, timeout: timeout)
            channel.close()
            return reply
        }
    }

    /// `erlang:nodes()` on `peer`: the visible nodes it is connected to; nil when it did not say.
    public func nodes(of peer: String, timeout: Duration = .seconds(5)) async -> [String]? {
        guard case .value(.list(let items)) = await call(peer, "erlang", "nodes", timeout: timeout) else { return nil }
        return items.compactMap {
            if case .atom(let name) = $0 { return name.name }
            return nil
        }
    }
}
