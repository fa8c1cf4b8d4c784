import BEAMPeers
import Foundation
import Testing

@testable import GaterMessages
@testable import WebhookForwarder

extension LoopbackTests {
    /// https endpoints with certificates the test makes: CA verification on, client certificates,
    /// and the explicit insecure switch.
    @Suite struct WebhookTLSTests {
        static let certificates = Result { try TestCertificates() }

        @Test func deliversOverTLSWithCAVerificationAndRefusesAnUnknownCA() async throws {
            let certificates = try Self.certificates.get()
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start(tls: certificates)
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([
                endpoint("verified", receiver.url + "/v") { $0.tls.caFile = certificates.caCertificate },
                endpoint("unknown_ca", receiver.url + "/u") { $0.maxAttempts = 2 },
            ])
            let task = running(forwarder)
            defer { task.cancel() }
            await forwarder.receive(.alertEscalation(Gater.escalation()), from: "n")
            try await eventually("delivered and dropped") {
                setup.count("verified", .delivered) == 1 && setup.count("unknown_ca", .dropped) == 1
            }
            #expect(receiver.requests.map(\.uri) == ["/v"], "no request got through without the CA")
            #expect(setup.log.text.contains("curl error 60"), "certificate verification failed: \(setup.log.text)")
        }

        @Test func showsAClientCertificateWhenTheReceiverRequiresOne() async throws {
            let certificates = try Self.certificates.get()
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start(tls: certificates, requireClientCertificate: true)
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([
                endpoint("mutual", receiver.url + "/m") {
                    $0.tls = EndpointTLSConfiguration(
                        caFile: certificates.caCertificate, certFile: certificates.clientCertificate,
                        keyFile: certificates.clientKey)
                },
                endpoint("anonymous", receiver.url + "/a") {
                    $0.tls.caFile = certificates.caCertificate
                    $0.maxAttempts = 1
                },
            ])
            let task = running(forwarder)
            defer { task.cancel() }
            await forwarder.receive(.alertEscalation(Gater.escalation()), from: "n")
            try await eventually("delivered and dropped") {
                setup.count("mutual", .delivered) == 1 && setup.count("anonymous", .dropped) == 1
            }
            #expect(receiver.requests.map(\.uri) == ["/m"])
        }

        @Test func insecureSkipVerifyDeliversAndWarns() async throws {
            let certificates = try Self.certificates.get()
            let setup = try ForwarderSetup()
            let receiver = try await WebhookReceiver.start(tls: certificates)
            defer { Task { await receiver.stop() } }
            let forwarder = try setup.forwarder([
                endpoint("insecure", receiver.url) { $0.tls.insecureSkipVerify = true }
            ])
            let task = running(forwarder)
            defer { task.cancel() }
            #expect(setup.log.all.contains { $0.level == .warning && $0.message.contains("tls.insecure_skip_verify") })
            await forwarder.receive(.alertEscalation(Gater.escalation()), from: "n")
            try await eventually("delivered") { setup.count("insecure", .delivered) == 1 }
        }

        @Test func unreadableCertificateFilesAreRefusedAtStartup() throws {
            let setup = try ForwarderSetup()
            let missing = endpoint("tls", "https://localhost:1") { $0.tls.caFile = "\(setup.directory)/none.pem" }
            #expect {
                _ = try setup.forwarder([missing])
            } throws: { error in
                "\(error)" == "webhooks.endpoints[0].tls.ca_file: the file \(setup.directory)/none.pem does not exist"
            }
        }
    }
}
