import Foundation

/// Secrets (tokens, passwords, HMAC keys) read from files at startup; trailing line breaks are
/// not part of the secret. Errors name the file, never its content.
enum SecretFile {
    static func read(_ path: String, keyPath: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason =
                FileManager.default.fileExists(atPath: path)
                ? "cannot be read (check its permissions)" : "does not exist"
            throw WebhookSetupError(keyPath: keyPath, message: "the file \(path) \(reason)")
        }
        var text = String(decoding: data, as: UTF8.self)
        while let last = text.last, last == "\n" || last == "\r" { text.removeLast() }
        guard !text.isEmpty else {
            throw WebhookSetupError(keyPath: keyPath, message: "the file \(path) is empty; it should hold the secret")
        }
        guard !text.contains(where: { $0 == "\n" || $0 == "\r" }) else {
            throw WebhookSetupError(
                keyPath: keyPath, message: "the file \(path) holds several lines; it should hold one secret")
        }
        return text
    }

    /// Checks that a file the transport will open (a CA, a certificate, a key) is readable now.
    static func checkReadable(_ path: String, keyPath: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw WebhookSetupError(keyPath: keyPath, message: "the file \(path) \(reason)")
        }
    }
}
