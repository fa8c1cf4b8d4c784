/// The payloads of the `ex_esdb_audit` and `ex_esdb_security` buses (README, The other six buses). User ids,
/// session ids, resource ids, IP addresses, user agents and justifications are never read: they
/// would be labels of unbounded cardinality, and they are personal data.

public struct DataChange: Sendable, Equatable {
    public var resourceType: String?
    /// create, update, delete or read.
    public var action: String?
    public var node: String
    public var timestamp: Double?
}

public struct AdminAction: Sendable, Equatable {
    /// user_created, user_deleted, permissions_changed or config_updated.
    public var actionType: String?
    public var node: String
    public var timestamp: Double?
}

public struct AccessLog: Sendable, Equatable {
    public var resourceType: String?
    public var action: String?
    public var success: Bool?
    public var durationMilliseconds: Double?
    public var node: String
    public var timestamp: Double?
}

public struct ComplianceEvent: Sendable, Equatable {
    /// data_retention, data_export, data_deletion or policy_violation.
    public var eventType: String?
    public var automated: Bool?
    public var node: String
    public var timestamp: Double?
}

public struct AuthEvent: Sendable, Equatable {
    /// login_success, login_failure, logout or token_refresh.
    public var eventType: String
    /// password, token, certificate or oauth.
    public var method: String?
    public var node: String
    public var timestamp: Double?
}

/// The Gater's AccessViolation names no node: `node` is the sender's.
public struct AccessViolation: Sendable, Equatable {
    /// unauthorized_access, permission_denied, rate_limit_exceeded or invalid_token.
    public var violationType: String?
    /// low, medium, high or critical.
    public var severity: String?
    public var node: String
    public var timestamp: Double?
}

public struct SecurityAlert: Sendable, Equatable {
    /// brute_force, suspicious_activity, policy_violation or data_breach.
    public var alertType: String?
    public var severity: String?
    /// At most `GaterDecoder.maxDescriptionBytes` bytes of it.
    public var description: String
    /// How many users the alert names (the ids themselves are left out).
    public var affectedUsers: Int
    public var node: String
    public var timestamp: Double?
}

public struct SessionEvent: Sendable, Equatable {
    /// created, destroyed, expired or invalidated.
    public var eventType: String
    public var durationMilliseconds: Double?
    public var node: String
    public var timestamp: Double?
}
