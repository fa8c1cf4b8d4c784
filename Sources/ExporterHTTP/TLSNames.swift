import NIOSSL

/// Go's names for cipher suites and curves, as exporter-toolkit files use them, mapped to
/// BoringSSL's code points.
enum TLSNames {
    /// The TLS 1.2 suites Go's `tls.CipherSuites()` lists (the secure ones).
    static let cipherSuites: [String: NIOTLSCipher] = [
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": .TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": .TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": .TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": .TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    /// TLS 1.3 suites: Go accepts their names but never lets them be configured; neither does BoringSSL.
    static let tls13CipherSuites: Set<String> = [
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    ]

    static let curves: [String: NIOTLSCurve] = [
        "CurveP256": .secp256r1, "CurveP384": .secp384r1, "CurveP521": .secp521r1, "X25519": .x25519,
    ]

    static func validate(cipherSuites names: [String], curves curveNames: [String]) throws(WebConfigurationError) {
        for name in names where cipherSuites[name] == nil && !tls13CipherSuites.contains(name) {
            throw .init(
                .invalidValue, key: "tls_server_config.cipher_suites", value: name,
                expected: "one of \(cipherSuites.keys.sorted().joined(separator: ", "))")
        }
        for name in curveNames where curves[name] == nil {
            throw .init(
                .invalidValue, key: "tls_server_config.curve_preferences", value: name,
                expected: "one of \(curves.keys.sorted().joined(separator: ", "))")
        }
    }
}
