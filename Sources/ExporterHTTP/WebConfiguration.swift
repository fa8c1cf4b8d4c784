/// The exporter-toolkit web configuration (`--web.config.file`): TLS, basic auth users and extra
/// response headers. Relative file paths are resolved against the file's directory.
public struct WebConfiguration: Sendable, Equatable {
    public var tlsServer: TLSServerConfiguration?
    public var httpServer: HTTPServerConfiguration
    /// User name to bcrypt hash. The hashes are secrets: never logged or shown.
    public var basicAuthUsers: [String: String]

    public init(
        tlsServer: TLSServerConfiguration? = nil, httpServer: HTTPServerConfiguration = .init(),
        basicAuthUsers: [String: String] = [:]
    ) {
        self.tlsServer = tlsServer
        self.httpServer = httpServer
        self.basicAuthUsers = basicAuthUsers
    }

    /// Checks everything that can be checked without reading the certificate files.
    public func validate() throws(WebConfigurationError) {
        try tlsServer?.validate()
        try httpServer.validate()
        for (user, hash) in basicAuthUsers.sorted(by: { $0.key < $1.key }) {
            try BcryptHash.validate(user: user, hash: hash)
        }
    }
}

/// Where a PEM document comes from: a file, or the YAML itself.
public enum PEMSource: Sendable, Equatable {
    case file(String)
    case inline(String)
}

/// `tls_server_config`.
public struct TLSServerConfiguration: Sendable, Equatable {
    public var certificate: PEMSource?
    public var privateKey: PEMSource?
    public var clientCA: PEMSource?
    public var clientAuthType: ClientAuthType
    public var minVersion: TLSProtocolVersion
    public var maxVersion: TLSProtocolVersion
    /// Go names of the TLS 1.2 cipher suites, in preference order; empty means BoringSSL's defaults.
    public var cipherSuites: [String]
    /// Go names of the curves (`CurveP256`, `CurveP384`, `CurveP521`, `X25519`).
    public var curvePreferences: [String]
    public var preferServerCipherSuites: Bool

    public init(
        certificate: PEMSource? = nil, privateKey: PEMSource? = nil, clientCA: PEMSource? = nil,
        clientAuthType: ClientAuthType = .noClientCert, minVersion: TLSProtocolVersion = .tls12,
        maxVersion: TLSProtocolVersion = .tls13, cipherSuites: [String] = [], curvePreferences: [String] = [],
        preferServerCipherSuites: Bool = true
    ) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.clientCA = clientCA
        self.clientAuthType = clientAuthType
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        self.cipherSuites = cipherSuites
        self.curvePreferences = curvePreferences
        self.preferServerCipherSuites = preferServerCipherSuites
    }

    func validate() throws(WebConfigurationError) {
        let prefix = "tls_server_config"
        guard certificate != nil else {
            throw .init(.missingKey, key: "\(prefix).cert_file", expected: "the server certificate (cert_file or cert)")
        }
        guard privateKey != nil else {
            throw .init(.missingKey, key: "\(prefix).key_file", expected: "the server's private key (key_file or key)")
        }
        if clientCA != nil && clientAuthType == .noClientCert {
            throw .init(
                .conflictingKeys, key: "\(prefix).client_ca_file", value: nil,
                expected: "a client_auth_type that asks for client certificates (RequireAndVerifyClientCert) "
                    + "when a client CA is given")
        }
        if clientAuthType.verifiesCertificates && clientCA == nil {
            throw .init(
                .missingKey, key: "\(prefix).client_ca_file",
                expected: "the CA that signs client certificates, which client_auth_type "
                    + "\(clientAuthType.rawValue) verifies")
        }
        guard minVersion <= maxVersion else {
            throw .init(
                .conflictingKeys, key: "\(prefix).min_version", value: minVersion.rawValue,
                expected: "min_version at most max_version (\(maxVersion.rawValue))")
        }
        try TLSNames.validate(cipherSuites: cipherSuites, curves: curvePreferences)
    }
}

/// `client_auth_type`, with Go's `tls.ClientAuthType` names.
public enum ClientAuthType: String, Sendable, CaseIterable {
    case noClientCert = "NoClientCert"
    case requestClientCert = "RequestClientCert"
    case requireAnyClientCert = "RequireAnyClientCert"
    case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
    case requireAndVerifyClientCert = "RequireAndVerifyClientCert"

    /// Parses the name; `RequireClientCert` is exporter-toolkit's older name for `RequireAnyClientCert`.
    init?(name: String) {
        if name == "RequireClientCert" {
            self = .requireAnyClientCert
        } else if name.isEmpty {
            self = .noClientCert
        } else {
            self.init(rawValue: name)
        }
    }

    var verifiesCertificates: Bool {
        self == .verifyClientCertIfGiven || self == .requireAndVerifyClientCert
    }
}

/// `min_version` / `max_version`.
public enum TLSProtocolVersion: String, Sendable, CaseIterable, Comparable {
    case tls10 = "TLS10"
    case tls11 = "TLS11"
    case tls12 = "TLS12"
    case tls13 = "TLS13"

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// `http_server_config`.
public struct HTTPServerConfiguration: Sendable, Equatable {
    /// Accepted for compatibility; this server speaks HTTP/1.1 only.
    public var http2: Bool
    /// Extra response headers, from exporter-toolkit's fixed list.
    public var headers: [String: String]

    public init(http2: Bool = true, headers: [String: String] = [:]) {
        self.http2 = http2
        self.headers = headers
    }

    /// The headers exporter-toolkit allows, with their allowed values (nil: any).
    static let allowedHeaders: [String: [String]?] = [
        "Strict-Transport-Security": nil,
        "X-Content-Type-Options": ["nosniff"],
        "X-Frame-Options": ["deny", "sameorigin"],
        "X-XSS-Protection": nil,
        "Content-Security-Policy": nil,
    ]

    func validate() throws(WebConfigurationError) {
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            let key = "http_server_config.headers.\(name)"
            guard let allowedValues = Self.allowedHeaders[name] else {
                throw .init(
                    .unknownKey, key: key,
                    expected: "one of \(Self.allowedHeaders.keys.sorted().joined(separator: ", "))")
            }
            if let allowedValues, !allowedValues.contains(value) {
                throw .init(
                    .invalidValue, key: key, value: value, expected: "one of \(allowedValues.joined(separator: ", "))")
            }
            guard !value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw .init(.invalidValue, key: key, value: value, expected: "a single-line header value")
            }
        }
    }
}
