import ErlangTerm

/// What became of one call through a node's `rex` server.
public enum RexReply: Sendable, Equatable {
    /// The function's result.
    case value(Term)
    /// `{badrpc, Reason}`: the call raised (`{'EXIT', {badarg, Stack}}`, `undef`, ...) or rex refused it.
    case badrpc(Term)
    /// No answer within the timeout. The call stays outstanding on its channel until the late
    /// answer comes, so the node never runs two of our calls at once.
    case timeout
    /// Not sent: an earlier call on the channel has not been answered yet.
    case outstanding
    /// Not sent: the node is not connected.
    case notConnected
    /// The channel was closed before an answer came.
    case closed
}
