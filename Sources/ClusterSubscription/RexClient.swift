import ErlangDistribution
import ErlangTerm

/// Calls through a node's standard `rex` RPC server, as `rpc:call/4` on an older node would:
/// `{'$gen_call', {From, Ref}, {call, M, F, A, GroupLeader}}`, answered with `{Ref, Reply}`.
struct RexClient: Sendable {
    let node: LocalNode

    /// `erlang:nodes()` on `peer`: the visible nodes it is connected to.
    func nodes(of peer: String, timeout: Duration = .seconds(5)) async -> [String]? {
        guard case .list(let items)? = await call(peer, module: "erlang", function: "nodes", timeout: timeout) else {
            return nil
        }
        return items.compactMap {
            if case .atom(let name) = $0 { return name.name }
            return nil
        }
    }

    private func call(_ peer: String, module: Atom, function: Atom, timeout: Duration) async -> Term? {
        let caller = node.spawn()
        defer { caller.exit() }
        let reference = node.makeReference()
        let request = Term.tuple([
            .atom("$gen_call"), .tuple([.pid(caller.pid), .reference(reference)]),
            .tuple([.atom("call"), .atom(module), .atom(function), .list([]), .pid(caller.pid)]),
        ])
        guard node.send(request, toName: "rex", on: peer, from: caller.pid) else { return nil }
        return await withTaskGroup(of: Term?.self) { group in
            group.addTask {
                for await delivery in caller.messages {
                    if case .tuple(let reply) = delivery.message.term(), reply.count == 2,
                        reply[0] == .reference(reference)
                    {
                        return reply[1]
                    }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
    }
}
