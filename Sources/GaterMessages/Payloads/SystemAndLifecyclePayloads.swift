/// The payloads of the `ex_esdb_system` and `ex_esdb_lifecycle` buses (README, The other six buses), with the
/// fields the catalogue uses. Enumerated fields keep the text that came (the Gater enforces none
/// of its enumerations); the aggregation bounds them. `node` is the payload's, else the sender.

/// A node's system starting, started, stopping or stopped, with its version.
public struct SystemLifecycle: Sendable, Equatable {
    public var event: String
    public var systemName: String?
    public var version: String?
    public var node: String
    public var timestamp: Double?
}

/// A component's configuration changed (what changed and who changed it are left out: free text).
public struct SystemConfigChange: Sendable, Equatable {
    public var component: String?
    public var node: String
    public var timestamp: Double?
}

public struct FeatureToggle: Sendable, Equatable {
    public var feature: String
    /// Nil when the value is no boolean.
    public var enabled: Bool?
    public var node: String
    public var timestamp: Double?
}

/// A node joining, leaving, going down...: `node` is the node it is about.
public struct NodeLifecycle: Sendable, Equatable {
    public var node: String
    public var event: String
    public var clusterSize: Int?
    public var timestamp: Double?
}

public struct ProcessLifecycle: Sendable, Equatable {
    /// The registered name, if any.
    public var name: String?
    /// The pid field when it is a name (ExESDB 0.11 puts atoms and strings there), not a pid.
    public var pidName: String?
    public var module: String?
    public var event: String
    public var node: String
    public var restartCount: Int?
    public var timestamp: Double?

    /// What the process is called: its registered name, else the name in its pid field, else its
    /// module (`unknown` counts as none).
    public var process: String? {
        [name, pidName, module].lazy.compactMap { $0 }.first { !$0.isEmpty && $0 != "unknown" }
    }
}

public struct SupervisionEvent: Sendable, Equatable {
    public var event: String
    public var node: String
    public var timestamp: Double?
}

/// A change of the cluster's membership as one node saw it (`node`: its originating node).
public struct ClusterMembership: Sendable, Equatable {
    public var event: String
    /// Lengths of the node lists.
    public var affectedNodes: Int?
    public var activeNodes: Int?
    public var totalNodes: Int?
    public var quorumStatus: String?
    public var node: String
    public var timestamp: Double?
}
