import ExporterConfiguration
import Foundation

/// One receiver of escalations (`webhooks.endpoints[i]`).
///
/// ```yaml
/// - name: oncall                      # [A-Za-z0-9_.-]+, the `endpoint` label of the metrics
///   url: https://hooks.example.internal/exesdb
///   format: alertmanager              # alertmanager | alertmanager_api | json
///   events: [alert_escalated, security_alert]   # default: [alert_escalated]
///   to_levels: [level2, level3]       # default: every level
///   min_severity: error               # info | warning | error | critical; default: every severity
///   headers: {X-Team: storage}
///   bearer_token_file: /etc/exesdb_exporter/oncall.token   # or basic_auth, not both
///   basic_auth: {username: exporter, password_file: /etc/exesdb_exporter/oncall.password}
///   hmac_secret_file: /etc/exesdb_exporter/oncall.hmac
///   timeout: 10s
///   tls: {ca_file: ..., cert_file: ..., key_file: ..., insecure_skip_verify: false}
///   max_attempts: 0                   # 0: no limit, max_age bounds the retries
///   max_age: 24h
///   max_in_flight: 4
///   min_backoff: 1s
///   max_backoff: 1m
///   resolve_timeout: 24h              # alertmanager_api: endsAt of a firing alert
/// ```
public struct WebhookEndpointConfiguration: Sendable, Equatable, Decodable {
    public var name: String
    public var url: String
    public var format: WebhookFormat
    /// What it is sent: escalations by default.
    public var events: [WebhookEvent]
    /// Only escalations to these levels; nil for every level.
    public var toLevels: [String]?
    /// Only alerts at least this severe; nil for every alert. An escalation whose SystemAlert
    /// was never seen has no known severity and passes. A security alert's low, medium, high
    /// and critical read as info, warning, error and critical; one of another severity passes.
    public var minSeverity: AlertSeverity?
    public var headers: [String: String]
    public var bearerTokenFile: String?
    public var basicAuth: BasicAuthConfiguration?
    public var hmacSecretFile: String?
    public var timeout: Duration
    public var tls: EndpointTLSConfiguration
    /// Attempts after which a delivery is dropped; 0 for no limit.
    public var maxAttempts: Int
    /// Age after which a pending delivery is dropped.
    public var maxAge: Duration
    public var maxInFlight: Int
    public var minBackoff: Duration
    public var maxBackoff: Duration
    /// `alertmanager_api` only: a firing alert's endsAt is this far after it starts, so that
    /// Alertmanager resolves an escalation nobody acknowledges instead of keeping it forever.
    public var resolveTimeout: Duration

    public init(name: String, url: String, format: WebhookFormat) {
        self.name = name
        self.url = url
        self.format = format
        events = [.alertEscalated]
        headers = [:]
        timeout = .seconds(10)
        tls = EndpointTLSConfiguration()
        maxAttempts = 0
        maxAge = .seconds(86_400)
        maxInFlight = 4
        minBackoff = .seconds(1)
        maxBackoff = .seconds(60)
        resolveTimeout = .seconds(86_400)
    }

    static let keys = [
        "name", "url", "format", "events", "to_levels", "min_severity", "headers", "bearer_token_file", "basic_auth",
        "hmac_secret_file", "timeout", "tls", "max_attempts", "max_age", "max_in_flight", "min_backoff",
        "max_backoff", "resolve_timeout",
    ]
    static let levels = ["level1", "level2", "level3"]

    public init(from decoder: any Decoder) throws {
        let mapping = try decoder.configurationMapping(known: Self.keys)
        let name: String = try mapping.required("name")
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
        else { throw mapping.invalid("name", "\"\(name)\"", expected: "letters, digits, '_', '.' or '-'") }
        let url: String = try mapping.required("url")
        let formatText: String = try mapping.required("format")
        guard let format = WebhookFormat(rawValue: formatText) else {
            throw mapping.invalid("format", "\"\(formatText)\"", expected: "alertmanager, alertmanager_api or json")
        }
        self.init(name: name, url: url, format: format)
        try decodeFilters(mapping)
        try decodeCredentials(mapping)
        try decodeLimits(mapping)
        try checkURL(mapping)
    }

    private mutating func decodeFilters(_ mapping: ConfigurationContainer) throws {
        if let names: [String] = try mapping.optional("events") {
            if let wrong = names.first(where: { WebhookEvent(rawValue: $0) == nil }) {
                throw mapping.invalid("events", "\"\(wrong)\"", expected: "alert_escalated or security_alert")
            }
            if names.isEmpty { throw mapping.invalid("events", "[]", expected: "at least one event") }
            events = names.compactMap(WebhookEvent.init(rawValue:))
        }
        if let levels: [String] = try mapping.optional("to_levels") {
            if let wrong = levels.first(where: { !Self.levels.contains($0) }) {
                throw mapping.invalid("to_levels", "\"\(wrong)\"", expected: "level1, level2 or level3")
            }
            if levels.isEmpty { throw mapping.invalid("to_levels", "[]", expected: "at least one level") }
            toLevels = levels
        }
        if let severity: String = try mapping.optional("min_severity") {
            guard let known = AlertSeverity(rawValue: severity) else {
                throw mapping.invalid("min_severity", "\"\(severity)\"", expected: "info, warning, error or critical")
            }
            minSeverity = known
        }
    }

    private mutating func decodeCredentials(_ mapping: ConfigurationContainer) throws {
        headers = try mapping.optional("headers") ?? [:]
        for (header, value) in headers.sorted(by: { $0.key < $1.key }) {
            try Self.checkHeader(header, value, mapping)
        }
        bearerTokenFile = try mapping.optional("bearer_token_file")
        basicAuth = try mapping.optional("basic_auth")
        hmacSecretFile = try mapping.optional("hmac_secret_file")
        tls = try mapping.optional("tls") ?? EndpointTLSConfiguration()
        if bearerTokenFile != nil, basicAuth != nil {
            throw mapping.invalid(
                "basic_auth", "set together with bearer_token_file", expected: "one of bearer_token_file or basic_auth")
        }
        let authorizes = bearerTokenFile != nil || basicAuth != nil
        if authorizes, let header = headers.keys.first(where: { $0.lowercased() == "authorization" }) {
            throw mapping.invalid(
                "headers", "\"\(header)\" together with bearer_token_file or basic_auth",
                expected: "the Authorization header from one place only")
        }
    }

    private mutating func decodeLimits(_ mapping: ConfigurationContainer) throws {
        timeout = try mapping.duration("timeout", default: timeout)
        maxAttempts = try mapping.integer("max_attempts", default: maxAttempts, in: 0...1_000_000)
        maxAge = try mapping.duration("max_age", default: maxAge)
        maxInFlight = try mapping.integer("max_in_flight", default: maxInFlight, in: 1...1024)
        minBackoff = try mapping.duration("min_backoff", default: minBackoff)
        maxBackoff = try mapping.duration("max_backoff", default: maxBackoff)
        resolveTimeout = try mapping.duration("resolve_timeout", default: resolveTimeout)
        if maxBackoff < minBackoff {
            throw mapping.invalid(
                "max_backoff", "\"\(PrometheusDuration.format(maxBackoff))\"",
                expected: "at least min_backoff (\(PrometheusDuration.format(minBackoff)))")
        }
    }

    private func checkURL(_ mapping: ConfigurationContainer) throws {
        guard let parsed = WebURL(url) else {
            // Not quoted back: receivers put tokens in URLs, and a mistyped one may still hold one.
            throw mapping.invalid(
                "url", "of endpoint \"\(name)\" (not shown: it may hold a token), which \(Self.urlProblem(url))",
                expected: "an http:// or https:// URL with a host")
        }
        if parsed.hasCredentials {
            throw mapping.invalid(
                "url", "with a user or password", expected: "a URL without credentials; put them in basic_auth")
        }
        if !parsed.isTLS, tls != EndpointTLSConfiguration() {
            throw mapping.invalid("tls", "set for an http:// url", expected: "an https:// url, or no tls section")
        }
    }

    /// What is wrong with a URL that `WebURL` refuses, in words that quote none of it.
    static func urlProblem(_ url: String) -> String {
        guard !url.isEmpty else { return "is empty" }
        guard !url.contains(where: \.isWhitespace) else { return "contains spaces or line breaks" }
        guard let components = URLComponents(string: url) else { return "is not a URL" }
        guard let scheme = components.scheme?.lowercased() else { return "has no scheme (http:// or https://)" }
        guard scheme == "http" || scheme == "https" else { return "has a scheme other than http or https" }
        return "has no host"
    }

    /// Headers the forwarder sets itself and a configuration may not replace.
    static let reservedHeaders: Set<String> = [
        "content-type", "content-length", "host", "expect", "transfer-encoding", "connection",
        RequestSigning.idempotencyHeader.lowercased(), RequestSigning.timestampHeader.lowercased(),
        RequestSigning.signatureHeader.lowercased(),
    ]

    private static func checkHeader(_ name: String, _ value: String, _ mapping: ConfigurationContainer) throws {
        let token = "!#$%&'*+-.^_`|~"
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || token.contains($0)) })
        else { throw mapping.invalid("headers", "\"\(name)\"", expected: "a header name (letters, digits, '-')") }
        guard !reservedHeaders.contains(name.lowercased()) else {
            throw mapping.invalid("headers", "\"\(name)\"", expected: "a header the forwarder does not set itself")
        }
        // The value is not quoted back: it may be a credential.
        guard !value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
            throw mapping.invalid("headers", "of \"\(name)\" with a line break", expected: "a one-line value")
        }
    }
}

/// `basic_auth`: the password comes from a file.
public struct BasicAuthConfiguration: Sendable, Equatable, Decodable {
    public var username: String
    public var passwordFile: String

    public init(username: String, passwordFile: String) {
        self.username = username
        self.passwordFile = passwordFile
    }

    public init(from decoder: any Decoder) throws {
        let mapping = try decoder.configurationMapping(known: ["username", "password_file"])
        username = try mapping.required("username")
        passwordFile = try mapping.required("password_file")
        if username.contains(":") {
            throw mapping.invalid("username", "\"\(username)\"", expected: "a user name without ':'")
        }
    }
}

/// `tls`: how the endpoint's certificate is checked and which client certificate is shown.
public struct EndpointTLSConfiguration: Sendable, Equatable, Decodable {
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    /// No certificate verification at all (a warning is logged at startup).
    public var insecureSkipVerify: Bool

    public init(
        caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, insecureSkipVerify: Bool = false
    ) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.insecureSkipVerify = insecureSkipVerify
    }

    public init(from decoder: any Decoder) throws {
        let mapping = try decoder.configurationMapping(known: [
            "ca_file", "cert_file", "key_file", "insecure_skip_verify",
        ])
        caFile = try mapping.optional("ca_file")
        certFile = try mapping.optional("cert_file")
        keyFile = try mapping.optional("key_file")
        insecureSkipVerify = try mapping.optional("insecure_skip_verify") ?? false
        if (certFile == nil) != (keyFile == nil) {
            let missing = certFile == nil ? "cert_file" : "key_file"
            throw mapping.invalid(missing, "missing", expected: "cert_file and key_file together")
        }
    }
}
