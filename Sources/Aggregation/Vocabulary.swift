import Synchronization

/// The label values an enumeration of the wire may take: its documented values (and their other
/// spellings), anything else `other`. Nothing on the wire enforces the Gater's enumerations, so
/// a label taken as it came could grow without bound.
struct Enumeration: Sendable {
    let known: Set<String>
    let aliases: [String: String]

    init(_ known: [String], aliases: [String: String] = [:]) {
        self.known = Set(known)
        self.aliases = aliases
    }

    /// The value's label: itself when known, its documented spelling, else `other` (absent too).
    func label(_ value: String?) -> String {
        guard let value else { return "other" }
        if known.contains(value) { return value }
        return aliases[value] ?? "other"
    }
}

/// Label values that are names from the wire (components, processes, features): each taken as it
/// came while fewer than `capacity` names are live, then `other`. A name unseen for the series
/// TTL gives up its place, so the set follows the names in use and never outgrows its capacity,
/// whatever a publisher sends.
final class ObservedNames: Sendable {
    let capacity: Int
    private let lastSeen = Mutex<[String: Double]>([:])

    init(capacity: Int) { self.capacity = capacity }

    /// `name`'s label at `now` (Unix seconds); `other` when it is absent or empty, or when the
    /// set is full of names seen within `ttl` seconds.
    func label(_ name: String?, at now: Double, ttl: Double) -> String {
        guard let name, !name.isEmpty else { return "other" }
        let key = LabelText.capped(name)
        return lastSeen.withLock { lastSeen in
            if lastSeen[key] != nil {
                lastSeen[key] = now
                return key
            }
            if lastSeen.count >= capacity {
                guard let stale = lastSeen.first(where: { now - $0.value > ttl })?.key else { return "other" }
                lastSeen[stale] = nil
            }
            lastSeen[key] = now
            return key
        }
    }

    var count: Int { lastSeen.withLock { $0.count } }
}

/// The documented enumerations of the Gater's payloads (docs/architecture.md, Payloads) and the caps on observed names.
enum Vocabulary {
    static let systemEvents = Enumeration(["starting", "started", "stopping", "stopped"])
    static let nodeEvents = Enumeration(["joining", "joined", "leaving", "left", "down", "reconnected"])
    static let processEvents = Enumeration(["started", "stopped", "crashed", "restarted"])
    static let supervisionEvents = Enumeration(["child_started", "child_terminated", "restart_limit_exceeded"])
    static let membershipChanges = Enumeration([
        "node_added", "node_removed", "partition_detected", "partition_healed",
    ])
    static let dataActions = Enumeration(["create", "update", "delete", "read"])
    static let adminActions = Enumeration(["user_created", "user_deleted", "permissions_changed", "config_updated"])
    static let complianceEvents = Enumeration([
        "data_retention", "data_export", "data_deletion", "policy_violation",
    ])
    static let analysisTypes = Enumeration(["bottleneck", "memory_leak", "cpu_hotspot", "io_analysis"])
    static let severities = Enumeration(["low", "medium", "high", "critical"])
    static let snapshotTypes = Enumeration(["full", "partial", "process_tree", "memory_dump"])
    static let authEvents = Enumeration(["login_success", "login_failure", "logout", "token_refresh"])
    static let authMethods = Enumeration(["password", "token", "certificate", "oauth"])
    static let violations = Enumeration([
        "unauthorized_access", "permission_denied", "rate_limit_exceeded", "invalid_token",
    ])
    static let securityAlertTypes = Enumeration([
        "brute_force", "suspicious_activity", "policy_violation", "data_breach",
    ])
    static let sessionEvents = Enumeration(["created", "destroyed", "expired", "invalidated"])
    /// Elixir's Logger says `warning` where the Gater documents `warn`.
    static let logLevels = Enumeration(["debug", "info", "warn", "error", "critical"], aliases: ["warning": "warn"])
    static let filterTypes = Enumeration(["level", "module", "pattern", "node"])
    static let filterActions = Enumeration(["include", "exclude", "rate_limit"])
    static let logEventTypes = Enumeration(["startup", "shutdown", "action", "health", "error"])
}

/// Label values as the store keeps them: at most 128 bytes. Text kept beside the store (observed
/// names, a node's version) is cut the same way, so a megabyte from the wire is never held.
enum LabelText {
    static let maxBytes = 128

    /// Cut at the last character boundary within `maxBytes`, as the store cuts label values.
    static func capped(_ text: String) -> String {
        guard text.utf8.count > maxBytes else { return text }
        let bytes = Array(text.utf8.prefix(maxBytes + 1))
        var end = maxBytes
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
