/// Capability flags exchanged in the handshake (erts `erl_dist_protocol.md`, "Distribution Flags").
public struct DistributionFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let published = DistributionFlags(rawValue: 0x1)
    public static let atomCache = DistributionFlags(rawValue: 0x2)
    public static let extendedReferences = DistributionFlags(rawValue: 0x4)
    public static let distMonitor = DistributionFlags(rawValue: 0x8)
    public static let funTags = DistributionFlags(rawValue: 0x10)
    public static let distMonitorName = DistributionFlags(rawValue: 0x20)
    public static let hiddenAtomCache = DistributionFlags(rawValue: 0x40)
    public static let newFunTags = DistributionFlags(rawValue: 0x80)
    public static let extendedPidsPorts = DistributionFlags(rawValue: 0x100)
    public static let exportPtrTag = DistributionFlags(rawValue: 0x200)
    public static let bitBinaries = DistributionFlags(rawValue: 0x400)
    public static let newFloats = DistributionFlags(rawValue: 0x800)
    public static let unicodeIO = DistributionFlags(rawValue: 0x1000)
    public static let distHeaderAtomCache = DistributionFlags(rawValue: 0x2000)
    public static let smallAtomTags = DistributionFlags(rawValue: 0x4000)
    public static let utf8Atoms = DistributionFlags(rawValue: 0x10000)
    public static let mapTag = DistributionFlags(rawValue: 0x20000)
    public static let bigCreation = DistributionFlags(rawValue: 0x40000)
    public static let sendSender = DistributionFlags(rawValue: 0x80000)
    public static let bigSeqtraceLabels = DistributionFlags(rawValue: 0x100000)
    public static let exitPayload = DistributionFlags(rawValue: 0x400000)
    public static let fragments = DistributionFlags(rawValue: 0x800000)
    public static let handshake23 = DistributionFlags(rawValue: 0x1000000)
    public static let unlinkID = DistributionFlags(rawValue: 0x2000000)
    public static let spawn = DistributionFlags(rawValue: 1 << 32)
    public static let nameMe = DistributionFlags(rawValue: 1 << 33)
    public static let v4NodeContainers = DistributionFlags(rawValue: 1 << 34)
    public static let alias = DistributionFlags(rawValue: 1 << 35)
    public static let mandatory25Digest = DistributionFlags(rawValue: 1 << 36)

    /// What OTP 25 refuses a connection without; we require the same of every peer.
    public static let mandatoryOTP25: DistributionFlags = [
        .extendedReferences, .funTags, .newFunTags, .extendedPidsPorts, .exportPtrTag, .bitBinaries,
        .newFloats, .utf8Atoms, .mapTag, .bigCreation, .handshake23,
    ]

    /// What OTP 26 added to the mandatory set (and OTP 27 to its digest flag).
    public static let mandatoryOTP26: DistributionFlags = [.unlinkID, .v4NodeContainers]

    /// What this node offers: everything OTP 25 to 28 require, the monitor, exit-payload, spawn
    /// and alias protocols we answer, and no atom cache and no fragments (so peers send plain
    /// pass-through frames). Not `published`: we are a hidden node.
    public static let advertised: DistributionFlags = mandatoryOTP25.union(mandatoryOTP26).union([
        .mandatory25Digest, .distMonitor, .distMonitorName, .sendSender, .bigSeqtraceLabels,
        .exitPayload, .spawn, .alias,
    ])

    private static let names: [(DistributionFlags, String)] = [
        (.published, "DFLAG_PUBLISHED"), (.atomCache, "DFLAG_ATOM_CACHE"),
        (.extendedReferences, "DFLAG_EXTENDED_REFERENCES"), (.distMonitor, "DFLAG_DIST_MONITOR"),
        (.funTags, "DFLAG_FUN_TAGS"), (.distMonitorName, "DFLAG_DIST_MONITOR_NAME"),
        (.hiddenAtomCache, "DFLAG_HIDDEN_ATOM_CACHE"), (.newFunTags, "DFLAG_NEW_FUN_TAGS"),
        (.extendedPidsPorts, "DFLAG_EXTENDED_PIDS_PORTS"), (.exportPtrTag, "DFLAG_EXPORT_PTR_TAG"),
        (.bitBinaries, "DFLAG_BIT_BINARIES"), (.newFloats, "DFLAG_NEW_FLOATS"),
        (.unicodeIO, "DFLAG_UNICODE_IO"), (.distHeaderAtomCache, "DFLAG_DIST_HDR_ATOM_CACHE"),
        (.smallAtomTags, "DFLAG_SMALL_ATOM_TAGS"), (.utf8Atoms, "DFLAG_UTF8_ATOMS"),
        (.mapTag, "DFLAG_MAP_TAG"), (.bigCreation, "DFLAG_BIG_CREATION"),
        (.sendSender, "DFLAG_SEND_SENDER"), (.bigSeqtraceLabels, "DFLAG_BIG_SEQTRACE_LABELS"),
        (.exitPayload, "DFLAG_EXIT_PAYLOAD"), (.fragments, "DFLAG_FRAGMENTS"),
        (.handshake23, "DFLAG_HANDSHAKE_23"), (.unlinkID, "DFLAG_UNLINK_ID"), (.spawn, "DFLAG_SPAWN"),
        (.nameMe, "DFLAG_NAME_ME"), (.v4NodeContainers, "DFLAG_V4_NC"), (.alias, "DFLAG_ALIAS"),
        (.mandatory25Digest, "DFLAG_MANDATORY_25_DIGEST"),
    ]

    /// The flags' names as the spec spells them, for error messages.
    public var names: [String] {
        Self.names.filter { contains($0.0) }.map(\.1)
    }
}
