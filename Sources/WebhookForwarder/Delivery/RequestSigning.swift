import Crypto
import Foundation

/// The headers that let a receiver authenticate a delivery, reject a replay and recognise a
/// duplicate: `X-ExESDB-Timestamp` (Unix seconds), `X-ExESDB-Signature: sha256=<hex>` over
/// `timestamp + "." + body` with the endpoint's HMAC secret, and `Idempotency-Key`.
public enum RequestSigning {
    public static let idempotencyHeader = "Idempotency-Key"
    public static let timestampHeader = "X-ExESDB-Timestamp"
    public static let signatureHeader = "X-ExESDB-Signature"

    /// The signature header's value: `sha256=` and the lowercase hex HMAC-SHA256.
    public static func signature(body: some Sequence<UInt8>, timestamp: Int, key: SymmetricKey) -> String {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array("\(timestamp).".utf8))
        hmac.update(data: Array(body))
        return "sha256=" + hex(hmac.finalize())
    }

    /// The same for every exporter replica and every restart: a hash of the alert, the level it
    /// was escalated to, the endpoint, and whether it fires or resolves.
    public static func idempotencyKey(alertID: String, toLevel: String, endpoint: String, resolved: Bool) -> String {
        let text = ["exesdb_exporter/1", alertID, toLevel, endpoint, resolved ? "resolved" : "firing"]
            .joined(separator: "\u{0}")
        return String(hex(SHA256.hash(data: Array(text.utf8))).prefix(32))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
