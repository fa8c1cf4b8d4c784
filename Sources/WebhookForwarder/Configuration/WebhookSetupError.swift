/// A configuration that decoded but cannot be used: a secret file that is missing, unreadable or
/// empty, a spool directory that cannot be used. The message names the key path and the path,
/// never a secret.
public struct WebhookSetupError: Error, CustomStringConvertible, Equatable {
    /// `webhooks.endpoints[0].hmac_secret_file`.
    public let keyPath: String
    public let message: String

    public var description: String { "\(keyPath): \(message)" }

    public init(keyPath: String, message: String) {
        self.keyPath = keyPath
        self.message = message
    }
}
