/// Something one poll of a node could not report: the item is skipped and counted
/// (`exesdb_exporter_collector_errors_total{reason}`), the rest of the poll goes on.
struct PollProblem: Sendable, Equatable {
    enum Reason: String, Sendable, CaseIterable {
        /// The node did not answer in time (or an earlier call is still unanswered).
        case timeout
        /// The node answered `{badrpc, _}`: the function raised, or this release lacks the item.
        case badrpc
        /// The answer had a shape the collector does not read.
        case decode
    }

    let reason: Reason
    /// What was asked: `erlang:memory/0`, `erlang:system_info(atom_count)`, ...
    let subject: String
    /// What was found, for the log line (a shape or a reason, never a secret: the node's VM figures only).
    let found: String

    /// The log line's message, saying what it means and what to do.
    var message: String {
        switch reason {
        case .timeout:
            "the node did not answer the BEAM collector within \(BEAMCollectorSetting.timeout): its VM figures are not updated until it does (an overloaded, frozen or partitioned node; raise the timeout if it is only slow)"
        case .badrpc:
            "the node could not answer a BEAM collector call, which is skipped (an OTP release without this item is left without it; anything else is worth a look on the node)"
        case .decode:
            "the node answered a BEAM collector call with a shape the exporter does not read, so that item is skipped (an OTP release newer than this exporter knows?)"
        }
    }

    /// One log line per kind of problem and node: this key.
    var kind: String { "\(reason.rawValue) \(subject)" }
}
