import Crypto
import Foundation

/// An endpoint ready to send to: its final URL, the headers every request carries (credentials
/// included, so never logged), and its HMAC key. Built at startup, when secret files are read.
struct EndpointRoute: Sendable {
    let configuration: WebhookEndpointConfiguration
    let url: String
    /// scheme://host:port, the only part of the URL that is logged.
    let origin: String
    private let headers: [String]
    private let hmacKey: SymmetricKey?

    var name: String { configuration.name }

    init(_ configuration: WebhookEndpointConfiguration, index: Int) throws {
        let keyPath = "webhooks.endpoints[\(index)]"
        self.configuration = configuration
        url = Self.finalURL(configuration)
        origin = WebURL(configuration.url)?.origin ?? "(invalid url)"
        var headers = ["Content-Type: application/json", "User-Agent: exesdb_exporter"]
        headers += configuration.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        if let file = configuration.bearerTokenFile {
            let token = try SecretFile.read(file, keyPath: "\(keyPath).bearer_token_file")
            headers.append("Authorization: Bearer \(token)")
        }
        if let basic = configuration.basicAuth {
            let password = try SecretFile.read(basic.passwordFile, keyPath: "\(keyPath).basic_auth.password_file")
            headers.append("Authorization: Basic \(Data("\(basic.username):\(password)".utf8).base64EncodedString())")
        }
        self.headers = headers
        hmacKey = try configuration.hmacSecretFile.map {
            SymmetricKey(data: Array(try SecretFile.read($0, keyPath: "\(keyPath).hmac_secret_file").utf8))
        }
        let tls = configuration.tls
        for (file, key) in [(tls.caFile, "ca_file"), (tls.certFile, "cert_file"), (tls.keyFile, "key_file")] {
            if let file { try SecretFile.checkReadable(file, keyPath: "\(keyPath).tls.\(key)") }
        }
    }

    /// `alertmanager_api` posts to the Alertmanager's `/api/v2/alerts` under the configured URL.
    private static func finalURL(_ configuration: WebhookEndpointConfiguration) -> String {
        guard configuration.format == .alertmanagerAPI else { return configuration.url }
        let base = configuration.url.hasSuffix("/") ? String(configuration.url.dropLast()) : configuration.url
        return base.hasSuffix("/api/v2/alerts") ? base : base + "/api/v2/alerts"
    }

    /// The request for one attempt: signed now, so that the receiver can reject old replays.
    func request(for delivery: SpooledDelivery, now: Date = Date()) -> TransportRequest {
        var lines = headers
        lines.append("\(RequestSigning.idempotencyHeader): \(delivery.idempotencyKey)")
        if let hmacKey {
            let timestamp = Int(now.timeIntervalSince1970)
            lines.append("\(RequestSigning.timestampHeader): \(timestamp)")
            let signature = RequestSigning.signature(body: delivery.body, timestamp: timestamp, key: hmacKey)
            lines.append("\(RequestSigning.signatureHeader): \(signature)")
        }
        return TransportRequest(
            url: url, headers: lines, body: delivery.body, timeout: configuration.timeout, tls: configuration.tls)
    }

    /// Whether this endpoint wants the escalation: its level, and its alert's severity when known.
    func accepts(_ joined: JoinedEscalation) -> Bool {
        guard configuration.events.contains(.alertEscalated) else { return false }
        if let levels = configuration.toLevels, !levels.contains(joined.escalation.toLevel) { return false }
        if let minimum = configuration.minSeverity, let severity = joined.severity, severity < minimum { return false }
        return true
    }

    /// Whether this endpoint wants the security alert: `events` names it, and it is severe enough.
    func accepts(_ alert: SecurityAlertFacts) -> Bool {
        guard configuration.events.contains(.securityAlert) else { return false }
        if let minimum = configuration.minSeverity, let severity = alert.scaledSeverity, severity < minimum {
            return false
        }
        return true
    }
}
