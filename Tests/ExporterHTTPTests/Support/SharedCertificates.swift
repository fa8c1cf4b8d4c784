import BEAMPeers

/// Two independent CAs, each with a server and a client certificate, made once for all the
/// tests (RSA key generation is slow on a loaded machine) and off Swift's cooperative pool.
enum SharedCertificates {
    private static let primaryTask = Task { try await TestCertificates() }
    private static let strangerTask = Task { try await TestCertificates() }

    /// The certificates most tests serve with.
    static var primary: TestCertificates { get async throws { try await primaryTask.value } }
    /// Another CA: its certificates are foreign to `primary`'s.
    static var stranger: TestCertificates { get async throws { try await strangerTask.value } }
}
