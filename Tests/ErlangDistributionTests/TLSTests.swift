import BEAMPeers
import ErlangDistribution
import ErlangTerm
import NIOSSL
import Testing

/// TLS distribution against `erl -proto_dist inet_tls`, with certificates made by the test and
/// verification on both sides.
@Suite(.serialized) struct TLSTests {
    func tlsConfiguration(_ certificates: TestCertificates, trusting ca: String? = nil) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(ca ?? certificates.caCertificate)
        tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificates.clientCertificate).map {
            .certificate($0)
        }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: certificates.clientKey, format: .pem))
        tls.certificateVerification = .fullVerification
        return tls
    }

    func startTLSNode(
        _ harness: Harness, _ alive: String, _ certificates: TestCertificates
    ) async throws -> BackgroundProcess {
        try await harness.startEchoNode(
            alive,
            extraArguments: [
                "-proto_dist", "inet_tls", "-ssl_dist_optfile", try certificates.erlangDistributionOptions(),
            ])
    }

    /// A TLS node `alive` and our connection to it, up; `floodRate` as `DistributionConfiguration`'s.
    func connectedOverTLS(
        _ alive: String, floodRate: Int = DistributionConfiguration.defaultFloodRate
    ) async throws -> (BackgroundProcess, SwiftPeer) {
        let harness = try await Harness()
        let certificates = try await TestCertificates()
        let erl = try await startTLSNode(harness, alive, certificates)
        var configuration = DistributionConfiguration.forTests
        configuration.tls = try tlsConfiguration(certificates)
        configuration.floodRate = floodRate
        let swift = harness.connect(to: alive, configuration: configuration)
        try await swift.waitUntilUp()
        return (erl, swift)
    }

    @Test func echoOverTLSDistribution() async throws {
        let (erl, swift) = try await connectedOverTLS("tls1")
        let mailbox = swift.node.spawn()
        swift.node.send(
            .tuple([.atom("echo"), .pid(mailbox.pid), .binary("over tls")]), toName: "echo", on: "tls1@localhost",
            from: mailbox.pid)
        #expect(try await mailbox.messages.next().message.term() == .tuple([.atom("echoed"), .binary("over tls")]))
        await swift.stop()
        await erl.stop()
    }

    /// Read in batches (`ReadPacing` ahead of the TLS handler, here from any rate on), a flood
    /// over TLS arrives whole and in order.
    @Test func aPacedFloodOverTLSArrivesInOrder() async throws {
        let (erl, swift) = try await connectedOverTLS("tls4", floodRate: 1)
        let count = 200_000
        #expect(await swift.soak(count, from: "tls4") == count + 1)
        await swift.stop()
        await erl.stop()
    }

    @Test func untrustedServerCertificateIsReportedWithTheSide() async throws {
        let harness = try await Harness()
        let certificates = try await TestCertificates()
        let otherAuthority = try await TestCertificates()
        let erl = try await startTLSNode(harness, "tls2", certificates)
        var configuration = DistributionConfiguration.forTests
        configuration.tls = try tlsConfiguration(certificates, trusting: otherAuthority.caCertificate)
        let swift = harness.connect(to: "tls2", configuration: configuration)
        let reason = try await swift.waitForFailure()
        guard case .tls(let node, let detail) = reason else {
            Issue.record("expected a TLS error, got \(reason)")
            return
        }
        #expect(node == "tls2@localhost")
        #expect(detail.contains("we rejected the certificate node tls2@localhost presented"), "\(detail)")
        await swift.stop()
        await erl.stop()
    }

    @Test func peerRejectingOurCertificateIsReportedWithTheSide() async throws {
        let harness = try await Harness()
        let certificates = try await TestCertificates()
        let stranger = try await TestCertificates()
        let erl = try await startTLSNode(harness, "tls3", certificates)
        var configuration = DistributionConfiguration.forTests
        var tls = try tlsConfiguration(certificates)
        tls.certificateChain = try NIOSSLCertificate.fromPEMFile(stranger.clientCertificate).map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: stranger.clientKey, format: .pem))
        configuration.tls = tls
        let swift = harness.connect(to: "tls3", configuration: configuration)
        let reason = try await swift.waitForFailure()
        guard case .tls(_, let detail) = reason else {
            Issue.record("expected a TLS error, got \(reason)")
            return
        }
        #expect(detail.contains("node tls3@localhost rejected our certificate"), "\(detail)")
        await swift.stop()
        await erl.stop()
    }
}
