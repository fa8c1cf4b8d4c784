/// Why a message was not accepted, as counted in
/// `exesdb_exporter_messages_rejected_total{bus, reason}`.
public enum MessageRejection: String, Error, Sendable, CaseIterable {
    /// A secure message whose signature matches neither atom style of its inner term.
    case badSignature = "bad_signature"
    /// An unsecured message while a secret is configured.
    case unsigned
    /// A secure message while no secret is configured.
    case unverifiable
    /// Not an envelope, or a payload missing what its kind requires.
    case malformed
    /// A well-formed payload of a kind this exporter does not know.
    case unknownType = "unknown_type"

    public var label: String { rawValue }
}
