/// The publishers' SECRET_KEY_BASE: the HMAC key of every secure message. Never printed.
public struct SecretKeyBase: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let bytes: [UInt8]

    public init(_ text: String) {
        bytes = Array(text.utf8)
    }

    public var description: String { "<secret_key_base redacted>" }
    public var debugDescription: String { description }
}
