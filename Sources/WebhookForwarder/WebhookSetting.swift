/// The settings the forwarder's messages speak of, by the forwarder's own names; the application
/// writes the flag that sets each in what the operator reads.
public enum WebhookSetting: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Where the spool lives: `WebhookConfiguration.spoolDirectory`.
    case spoolDirectory

    public var description: String { "WebhookSetting.\(rawValue)" }
}
