import ErlangTerm

/// What exists so far, printed by the run command until the exporter can start for real.
let version = "0.1.0-dev"
let arguments = CommandLine.arguments.dropFirst()

if arguments.contains("--version") {
    print("exesdb_exporter \(version)")
} else {
    let probe = Term.tuple([.atom("exesdb_exporter"), .binary(version)])
    let bytes = probe.encoded()
    print(
        """
        exesdb_exporter \(version)

        Built so far: the Erlang External Term Format codec (module ErlangTerm); \
        a self-check encoded \(probe) into \(bytes.count) bytes.
        Not built yet: joining the cluster (ErlangDistribution), the PubSub subscription, \
        /metrics, webhooks, and the demo cluster. See the open issues.
        """)
}
