/// Why a connection to a node failed or ended, in words an operator can act on.
///
/// `reason` is the short label used in logs and in `exesdb_exporter_peer_connects_total{result}`.
public enum DistributionError: Error, Sendable, Equatable, CustomStringConvertible {
    case epmdUnreachable(host: String, port: Int, reason: String)
    case nodeNotRegistered(alive: String, host: String)
    case epmdProtocol(host: String, detail: String)
    case nameInUse(name: String, host: String)
    case connectFailed(node: String, address: String, reason: String)
    case cookieMismatch(node: String)
    case peerFailedAuthentication(node: String)
    case notAllowed(node: String, status: String)
    case missingFlags(node: String, missing: [String])
    case handshakeClosed(node: String, stage: String)
    case handshakeProtocol(node: String, detail: String)
    case handshakeTimeout(node: String, seconds: Double)
    case frameTooLarge(node: String, size: Int, limit: Int)
    case corruptFrame(node: String, detail: String)
    case tickTimeout(node: String, seconds: Double)
    case tls(node: String, detail: String)
    case closedByPeer(node: String)
    case shutdown

    public var reason: String {
        switch self {
        case .epmdUnreachable: return "epmd_unreachable"
        case .nodeNotRegistered: return "not_registered"
        case .epmdProtocol: return "epmd_error"
        case .nameInUse: return "name_in_use"
        case .connectFailed: return "connect_failed"
        case .cookieMismatch, .peerFailedAuthentication: return "cookie_mismatch"
        case .notAllowed: return "not_allowed"
        case .missingFlags: return "missing_flags"
        case .handshakeClosed, .handshakeProtocol, .handshakeTimeout: return "handshake_failed"
        case .frameTooLarge: return "frame_too_large"
        case .corruptFrame: return "corrupt_frame"
        case .tickTimeout: return "tick_timeout"
        case .tls: return "tls_error"
        case .closedByPeer: return "closed_by_peer"
        case .shutdown: return "shutdown"
        }
    }

    /// The node the error concerns, when there is one.
    public var peerName: String? {
        switch self {
        case .connectFailed(let node, _, _), .cookieMismatch(let node), .peerFailedAuthentication(let node),
            .notAllowed(let node, _), .missingFlags(let node, _), .handshakeClosed(let node, _),
            .handshakeProtocol(let node, _), .handshakeTimeout(let node, _), .frameTooLarge(let node, _, _),
            .corruptFrame(let node, _), .tickTimeout(let node, _), .tls(let node, _), .closedByPeer(let node):
            return node
        case .epmdUnreachable, .nodeNotRegistered, .epmdProtocol, .nameInUse, .shutdown:
            return nil
        }
    }

    public var description: String {
        switch self {
        case .epmdUnreachable(let host, let port, let reason):
            return "EPMD unreachable on \(host):\(port) (\(reason)); check that the node's host is up and that "
                + "epmd listens there (ERL_EPMD_PORT sets another port)"
        case .nodeNotRegistered(let alive, let host):
            return
                "no node named \(alive) in EPMD on host \(host); check the name in \(DistributionSetting.peers) and that the node runs"
        case .epmdProtocol(let host, let detail):
            return "EPMD on \(host) answered something unexpected: \(detail)"
        case .nameInUse(let name, let host):
            return
                "the node name \(name) is already registered in EPMD on \(host); choose another \(DistributionSetting.localName)"
        case .connectFailed(let node, let address, let reason):
            return "cannot connect to node \(node) at \(address): \(reason)"
        case .cookieMismatch(let node):
            return "authentication failed: the cookie does not match (node \(node) rejected our digest); "
                + "use the cluster's cookie (\(DistributionSetting.cookieFile) or ERLANG_COOKIE)"
        case .peerFailedAuthentication(let node):
            return "authentication failed: the cookie does not match (node \(node) could not prove it knows the cookie)"
        case .notAllowed(let node, let status):
            return "node \(node) refused the connection (status '\(status)'); check its net_kernel:allow list "
                + "and that no other node uses our name"
        case .missingFlags(let node, let missing):
            return
                "node \(node) lacks distribution capabilities this node requires: \(missing.joined(separator: ", ")); "
                + "it is older than OTP 25 or not an Erlang node"
        case .handshakeClosed(let node, let stage):
            return "node \(node) closed the connection during the handshake (\(stage))"
        case .handshakeProtocol(let node, let detail):
            return "node \(node) broke the handshake protocol: \(detail)"
        case .handshakeTimeout(let node, let seconds):
            return "node \(node) did not complete the handshake within \(seconds) s"
        case .frameTooLarge(let node, let size, let limit):
            return "node \(node) sent a frame of \(size) bytes, over the limit of \(limit) "
                + "(raise \(DistributionSetting.maxFrameSize) if such messages are expected)"
        case .corruptFrame(let node, let detail):
            return "node \(node) sent a corrupt frame: \(detail)"
        case .tickTimeout(let node, let seconds):
            return "node \(node) sent nothing for \(seconds) s (net_ticktime): declared dead; it may be frozen, "
                + "overloaded or cut off"
        case .tls(let node, let detail):
            return "TLS with node \(node) failed: \(detail)"
        case .closedByPeer(let node):
            return "node \(node) closed the connection"
        case .shutdown:
            return "shutting down"
        }
    }
}
