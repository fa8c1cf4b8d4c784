import BEAMPeers
import Foundation
import Testing

@testable import GaterMessages
@testable import WebhookForwarder

extension LoopbackTests {
    /// https endpoints with certificates the test makes: CA verification on, client certificates,
    /// and the explicit insecure switch.
    @Suite struct WebhookTLSTests {
        static let certificates = Task { try await TestCertificates() }

        @Test func deliversOverTLSWithCAVerificationAndRefusesAnUnknownCA() async throws {
            let certificates = try await Self.certificates.value
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
            // A set: on a starved machine an answered attempt can time out and be sent again.
            #expect(Set(receiver.requests.map(\.uri)) == ["/v"], "no request got through without the CA")
            #expect(setup.log.text.contains("curl error 60"), "certificate verification failed: \(setup.log.text)")
        }

        @Test func showsAClientCertificateWhenTheReceiverRequiresOne() async throws {
            let certificates = try await Self.certificates.value
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
            #expect(Set(receiver.requests.map(\.uri)) == ["/m"], "no request got through without a certificate")
        }

        /// Against a real HTTP/2 server (hypercorn, ALPN h2): deliveries go over HTTP/2, and
        /// those in flight together to one endpoint are streams of one connection.
        @Test func deliversOverHTTP2AndMultiplexesConcurrentDeliveriesOnOneConnection() async throws {
            let certificates = try await Self.certificates.value
            let setup = try ForwarderSetup()
            // Each answer waits half a second, so that the eight deliveries are in flight together.
            let receiver = try await HTTP2Receiver(certificates: certificates, delay: .milliseconds(500))
            defer { receiver.stop() }
            let forwarder = try setup.forwarder([
                endpoint("h2", receiver.url + "/h2") {
                    $0.tls.caFile = certificates.caCertificate
                    $0.maxInFlight = 8
                }
            ])
            let task = running(forwarder)
            defer { task.cancel() }
            for index in 0..<8 {
                await forwarder.receive(.alertEscalation(Gater.escalation("a\(index)")), from: "n", durably: false)
            }
            try await eventually("all 8 delivered", timeout: .seconds(30)) { setup.count("h2", .delivered) == 8 }
            let requests = receiver.requests
            #expect(Set(requests.compactMap(\.idempotencyKey)).count == 8)
            #expect(requests.allSatisfy { $0.httpVersion == "2" }, "\(requests.map(\.httpVersion))")
            #expect(Set(requests.map(\.clientPort)).count == 1, "one connection: \(requests.map(\.clientPort))")
            // The most requests being answered at one instant, on that one connection.
            let overlap =
                requests.map { request in
                    requests.filter { $0.started <= request.started && request.started < $0.ended }.count
                }.max() ?? 0
            #expect(overlap >= 2, "streams in flight together: \(overlap)")
            print(
                "HTTP/2: 8 deliveries over \(Set(requests.map(\.clientPort)).count) connection, up to \(overlap) streams at once"
            )
        }

        @Test func insecureSkipVerifyDeliversAndWarns() async throws {
            let certificates = try await Self.certificates.value
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
