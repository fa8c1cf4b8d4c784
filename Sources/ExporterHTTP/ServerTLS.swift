import Foundation
import NIOCore
import NIOSSL

/// A ready TLS server context made from `tls_server_config`: every certificate and key read and
/// checked, so that a bad file is refused at startup or reload, not at the first connection.
struct ServerTLS: Sendable {
    typealias Verification = @Sendable ([NIOSSLCertificate], EventLoopPromise<NIOSSLVerificationResult>) -> Void

    let context: NIOSSLContext
    /// Set for the client auth types that ask for a certificate without verifying it.
    let verification: Verification?

    init(_ tls: TLSServerConfiguration) throws(WebConfigurationError) {
        let chain = try Self.certificates(tls.certificate, fileKey: "cert_file", inlineKey: "cert")
        let key = try Self.privateKey(tls.privateKey)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = tls.minVersion.nio
        configuration.maximumTLSVersion = tls.maxVersion.nio
        configuration.certificateVerification = tls.clientAuthType.certificateVerification
        if tls.clientCA != nil {
            let authorities = try Self.certificates(tls.clientCA, fileKey: "client_ca_file", inlineKey: "client_ca")
            configuration.trustRoots = .certificates(authorities)
            configuration.sendCANameList = true
        }
        let suites = tls.cipherSuites.compactMap { TLSNames.cipherSuites[$0] }
        if !suites.isEmpty { configuration.cipherSuiteValues = suites }
        let curves = tls.curvePreferences.compactMap { TLSNames.curves[$0] }
        if !curves.isEmpty { configuration.curves = curves }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .init(
                .invalidValue, key: Self.key(tls.privateKey, file: "key_file", inline: "key"),
                expected: "the private key of the certificate in cert_file (\(error))")
        }
        verification = tls.clientAuthType.acceptsAnyCertificate ? Self.acceptAnyCertificate : nil
    }

    private static let acceptAnyCertificate: Verification = { _, promise in
        promise.succeed(.certificateVerified)
    }

    private static func key(_ source: PEMSource?, file: String, inline: String) -> String {
        if case .inline = source { return "tls_server_config.\(inline)" }
        return "tls_server_config.\(file)"
    }

    private static func certificates(
        _ source: PEMSource?, fileKey: String, inlineKey: String
    )
        throws(WebConfigurationError) -> [NIOSSLCertificate]
    {
        let key = key(source, file: fileKey, inline: inlineKey)
        let expected = "PEM certificates (-----BEGIN CERTIFICATE-----)"
        let certificates: [NIOSSLCertificate]
        switch source {
        case .file(let path)?:
            let bytes = try readFile(path, key: key)
            certificates = (try? NIOSSLCertificate.fromPEMBytes(bytes)) ?? []
            guard !certificates.isEmpty else { throw .init(.invalidValue, key: key, value: path, expected: expected) }
        case .inline(let text)?:
            certificates = (try? NIOSSLCertificate.fromPEMBytes(Array(text.utf8))) ?? []
            guard !certificates.isEmpty else {
                throw .init(.invalidValue, key: key, value: "(inline)", expected: expected)
            }
        case nil:
            throw .init(.missingKey, key: key, expected: expected)
        }
        return certificates
    }

    /// The key's bytes and text are secrets: errors name the file, never the content.
    private static func privateKey(_ source: PEMSource?) throws(WebConfigurationError) -> NIOSSLPrivateKey {
        let key = key(source, file: "key_file", inline: "key")
        let expected = "an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)"
        switch source {
        case .file(let path)?:
            let bytes = try readFile(path, key: key)
            guard let privateKey = try? NIOSSLPrivateKey(bytes: bytes, format: .pem) else {
                throw .init(.invalidValue, key: key, value: path, expected: expected)
            }
            return privateKey
        case .inline(let text)?:
            guard let privateKey = try? NIOSSLPrivateKey(bytes: Array(text.utf8), format: .pem) else {
                throw .init(.invalidValue, key: key, expected: expected)
            }
            return privateKey
        case nil:
            throw .init(.missingKey, key: key, expected: expected)
        }
    }

    private static func readFile(_ path: String, key: String) throws(WebConfigurationError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .init(.unreadableFile, key: key, value: path, expected: FileProblem.describe(path))
        }
        return Array(data)
    }
}

extension TLSProtocolVersion {
    var nio: TLSVersion {
        switch self {
        case .tls10: .tlsv1
        case .tls11: .tlsv11
        case .tls12: .tlsv12
        case .tls13: .tlsv13
        }
    }
}

extension ClientAuthType {
    /// BoringSSL's modes for Go's client auth types: `optionalVerification` asks for a certificate
    /// without requiring one, `noHostnameVerification` requires one (a client has no host name to
    /// check).
    var certificateVerification: CertificateVerification {
        switch self {
        case .noClientCert: .none
        case .requestClientCert, .verifyClientCertIfGiven: .optionalVerification
        case .requireAnyClientCert, .requireAndVerifyClientCert: .noHostnameVerification
        }
    }

    /// RequestClientCert and RequireAnyClientCert take any certificate, signed by anyone.
    var acceptsAnyCertificate: Bool {
        self == .requestClientCert || self == .requireAnyClientCert
    }
}
