import BEAMPeers
import Foundation
import HummingbirdBcrypt
import MetricsTestKit
import NIOCore
import Synchronization
import Testing

@testable import ExporterHTTP

/// bcrypt basic auth from `basic_auth_users`, over HTTP and on the authenticator itself.
@Suite(.serialized) struct BasicAuthTests {
    @Test func rightWrongUnknownAndMissingCredentials() async throws {
        let file = try WebConfigFile(WebConfigFile.users(["alice": "wonderland", "bob": "builder"]))
        let metrics = TestMetrics()
        try await withServer(CannedSources().sources(), webConfigFile: file.path, metrics: metrics) {
            running async throws in
            let right = try await curl(running.url("/metrics"), basicAuth("alice", "wonderland"))
            #expect(right.status == 200)
            #expect(right.text == CannedExposition.prometheusText)
            #expect(try await curl(running.url("/metrics"), basicAuth("bob", "builder")).status == 200)
            for credentials in [basicAuth("alice", "builder"), basicAuth("mallory", "wonderland"), []] {
                let refused = try await curl(running.url("/metrics"), credentials)
                #expect(refused.status == 401)
                #expect(refused.headers["www-authenticate"] == "Basic")
                #expect(!refused.text.contains("exesdb"))
            }
            // curl's own -u, and a malformed header.
            #expect(try await curl(running.url("/metrics"), ["-u", "alice:wonderland"]).status == 200)
            #expect(try await curl(running.url("/metrics"), ["-H", "Authorization: Basic !!!"]).status == 401)
            let unauthorized = try metrics.expectCounter(HTTPSTests.rejected, [("reason", "unauthorized")])
            #expect(unauthorized.totalValue == 4)
        }
    }

    @Test func everyPathIsProtected() async throws {
        let file = try WebConfigFile(WebConfigFile.users(["alice": "wonderland"]))
        try await withServer(CannedSources().sources(), webConfigFile: file.path) { running async throws in
            for path in ["/", "/-/healthy", "/-/ready", "/missing"] {
                #expect(try await curl(running.url(path)).status == 401, "\(path)")
            }
            #expect(try await curl(running.url("/missing"), basicAuth("alice", "wonderland")).status == 404)
            #expect(try await curl(running.url("/-/healthy"), basicAuth("alice", "wonderland")).status == 200)
        }
    }

    /// Counts the bcrypt checks and records the hashes they were made against.
    final class VerifyRecorder: Sendable {
        let calls = Mutex<[String]>([])
        var verify: BasicAuthenticator.Verify {
            { password, hash in
                self.calls.withLock { $0.append(hash) }
                return Bcrypt.verify(password, hash: hash)
            }
        }
    }

    static func header(_ user: String, _ password: String) -> String {
        "Basic \(Data("\(user):\(password)".utf8).base64EncodedString())"
    }

    @Test func unknownUsersAndWrongPasswordsBothRunBcryptAtTheSameCost() async throws {
        let recorder = VerifyRecorder()
        let hash = WebConfigFile.htpasswdHash("wonderland", cost: 6)
        let authenticator = BasicAuthenticator(users: ["alice": hash], verify: recorder.verify)

        #expect(await !authenticator.authenticate(authorization: Self.header("alice", "nope")))
        #expect(await !authenticator.authenticate(authorization: Self.header("mallory", "nope")))
        let hashes = recorder.calls.withLock { $0 }
        #expect(hashes.count == 2)
        #expect(hashes.map(BcryptHash.cost(of:)) == [6, 6])
        #expect(hashes[0] == "$2b$" + hash.dropFirst(4))
        #expect(hashes[1] != hashes[0])
    }

    @Test func rightCredentialsAreRememberedWrongOnesNever() async throws {
        let recorder = VerifyRecorder()
        let authenticator = BasicAuthenticator(
            users: ["alice": WebConfigFile.htpasswdHash("wonderland", cost: 4)], verify: recorder.verify)
        for _ in 0..<3 {
            #expect(await authenticator.authenticate(authorization: Self.header("alice", "wonderland")))
            #expect(await !authenticator.authenticate(authorization: Self.header("alice", "wonder")))
        }
        // One check for the right password (then remembered), three for the wrong one.
        #expect(recorder.calls.withLock { $0.count } == 4)
        // bcrypt reads a C string: what follows a NUL must not be ignored.
        #expect(await !authenticator.authenticate(authorization: Self.header("alice", "wonderland\u{0}tail")))
    }

    @Test(arguments: [
        ("Basic YWxpY2U6d29uZGVy", "alice", "wonder"), ("basic   YWxpY2U6Og==", "alice", ":"),
        ("Basic YWxpY2U6", "alice", ""),
    ])
    func credentialsAreDecoded(header: String, user: String, password: String) throws {
        let credentials = try #require(BasicAuthenticator.credentials(from: header))
        #expect(credentials.user == user)
        #expect(credentials.password == password)
    }

    @Test(arguments: ["Bearer abc", "Basic", "Basic ####", "Basic YWxpY2U=", ""])
    func malformedCredentials(header: String) {
        #expect(BasicAuthenticator.credentials(from: header) == nil)
    }

    /// A statistical check, not a timed assertion: the median answer time for an unknown user
    /// and for a wrong password, at bcrypt cost 10, must be of the same order. Without the
    /// unmatchable hash, an unknown user would answer in about 1 ms against about 50 ms.
    @Test func unknownUserAndWrongPasswordTakeAboutAsLong() async throws {
        let file = try WebConfigFile(WebConfigFile.users(["alice": "wonderland"], cost: 10))
        try await withServer(CannedSources().sources(), webConfigFile: file.path) { running async throws in
            let url = running.url("/-/healthy")
            // Each attempt from an address of its own (all of 127/8 is loopback): from one, the
            // eleventh failure in a row would be refused before bcrypt, as the next test shows.
            var source = 1
            func seconds(_ user: String) async throws -> Double {
                source += 1
                let started = ContinuousClock.now
                let from = ["--interface", "127.0.0.\(source)"]
                #expect(try await curl(url, basicAuth(user, "wrong") + from).status == 401)
                let elapsed = ContinuousClock.now - started
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
            // Interleaved, so that a change of load on the machine weighs on both alike.
            var wrong: [Double] = []
            var unknown: [Double] = []
            for _ in 0..<9 {
                wrong.append(try await seconds("alice"))
                unknown.append(try await seconds("mallory"))
            }
            let wrongPassword = wrong.sorted()[4]
            let unknownUser = unknown.sorted()[4]
            print("median 401 time at bcrypt cost 10: wrong password \(wrongPassword) s, unknown user \(unknownUser) s")
            #expect(unknownUser > wrongPassword / 3 && unknownUser < wrongPassword * 3)
        }
    }

    /// Failed logins are limited per client address (issue 14, item 10): ten in a row are
    /// answered 401, the next 429 with Retry-After and without a bcrypt check, counted; a
    /// scraper whose credentials were already accepted passes meanwhile, and another address
    /// is not affected. Before, every attempt ran bcrypt and got 401.
    @Test func failedLoginsFromOneAddressAreLimitedAndCounted() async throws {
        let file = try WebConfigFile(WebConfigFile.users(["alice": "wonderland"]))
        let metrics = TestMetrics()
        try await withServer(CannedSources().sources(), webConfigFile: file.path, metrics: metrics) { running in
            let url = running.url("/metrics")
            #expect(try await curl(url, basicAuth("alice", "wonderland")).status == 200)
            for _ in 0..<10 { #expect(try await curl(url, basicAuth("alice", "guess")).status == 401) }
            let limited = try await curl(url, basicAuth("mallory", "guess"))
            #expect(limited.status == 429)
            #expect(Int(limited.headers["retry-after"] ?? "").map { $0 >= 1 } == true, "\(limited.headers)")
            #expect(!limited.text.contains("exesdb"))
            #expect(try await curl(url, basicAuth("alice", "wonderland")).status == 200)
            let elsewhere = try await curl(url, basicAuth("alice", "guess") + ["--interface", "127.0.0.2"])
            #expect(elsewhere.status == 401)
            #expect(try metrics.expectCounter(HTTPSTests.rejected, [("reason", "unauthorized")]).totalValue == 11)
            #expect(try metrics.expectCounter(HTTPSTests.rejected, [("reason", "rate_limited")]).totalValue == 1)
        }
    }

    /// The bucket: ten failures, then one more per six seconds; an IPv4 client of a dual-stack
    /// listener counts by its IPv4 address, an IPv6 one by its /64.
    @Test func theLimiterRefillsAndKeysByAddress() throws {
        let limiter = FailedLoginLimiter(burst: 3, refill: .seconds(6), capacity: 2)
        let start = ContinuousClock.now
        let client = try SocketAddress(ipAddress: "192.0.2.7", port: 1234)
        for _ in 0..<2 { #expect(!limiter.failed(client, now: start)) }
        #expect(limiter.admission(client, now: start) == .allowed)
        #expect(limiter.failed(client, now: start))
        #expect(limiter.admission(client, now: start) == .limited(retryAfterSeconds: 6))
        #expect(limiter.admission(client, now: start + .seconds(3)) == .limited(retryAfterSeconds: 3))
        #expect(limiter.admission(client, now: start + .seconds(6)) == .allowed)
        let mapped = try SocketAddress(ipAddress: "::ffff:192.0.2.7", port: 99)
        #expect(FailedLoginLimiter.key(mapped) == FailedLoginLimiter.key(client))
        let v6a = try SocketAddress(ipAddress: "2001:db8:1:2::1", port: 1)
        let v6b = try SocketAddress(ipAddress: "2001:db8:1:2:ffff::9", port: 1)
        let v6c = try SocketAddress(ipAddress: "2001:db8:1:3::1", port: 1)
        #expect(FailedLoginLimiter.key(v6a) == FailedLoginLimiter.key(v6b))
        #expect(FailedLoginLimiter.key(v6a) != FailedLoginLimiter.key(v6c))
        // At capacity, the address seen longest ago makes room.
        limiter.failed(v6a, now: start + .seconds(1))
        limiter.failed(v6c, now: start + .seconds(2))
        #expect(limiter.admission(client, now: start) == .allowed, "forgotten to make room")
    }
}
