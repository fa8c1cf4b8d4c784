import BEAMPeers
import ExporterHTTP
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import Testing

/// `--web.listen-address` and `--web.telemetry-path`: parsing, several addresses, bind errors,
/// graceful shutdown.
@Suite(.serialized) struct ListenTests {
    @Test(
        arguments: [
            (":9571", nil, 9571), ("127.0.0.1:9100", "127.0.0.1", 9100), ("[::1]:0", "::1", 0),
            ("localhost:65535", "localhost", 65535), ("[fe80::1%eth0]:80", "fe80::1%eth0", 80),
        ] as [(String, String?, Int)])
    func addressesParse(text: String, host: String?, port: Int) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.description == text)
    }

    @Test(arguments: [
        ("9571", "the port is missing"), ("host:", "is not a port"), (":99999", "is not a port"),
        (":-1", "is not a port"), ("::1:9571", "in brackets"), ("[::1:9571", "closing ']'"),
        ("a b:80", "not a host name"), (":９５", "is not a port"),
    ])
    func badAddressesAreNamed(text: String, reason: String) {
        let error = #expect(throws: ExporterHTTPError.self) { try ListenAddress(parsing: text) }
        #expect(error?.description.hasPrefix("invalid \(ExporterHTTPSetting.listenAddresses)=\(text): ") == true)
        #expect(error?.description.contains(reason) == true, "\(error?.description ?? "")")
    }

    @Test func theSameAddressTwiceOrNoneIsRefused() {
        for addresses in [[":9571", ":9571"], []] {
            #expect(throws: ExporterHTTPError.self) {
                try ExporterHTTPConfiguration(listenAddresses: addresses).parsedListenAddresses()
            }
        }
    }

    @Test(arguments: ["metrics", "/", "/-/healthy", "/-/ready", "/metrics/:name", "/metrics?x", "/a b", "/*"])
    func badTelemetryPathsAreRefused(path: String) {
        let error = #expect(throws: ExporterHTTPError.self) {
            try ExporterHTTPConfiguration(telemetryPath: path).validateTelemetryPath()
        }
        #expect(error?.description.hasPrefix("invalid \(ExporterHTTPSetting.telemetryPath)=\(path): ") == true)
    }

    @Test func everyListenAddressServes() async throws {
        let sources = CannedSources().sources()
        try await withServer(sources, listen: ["127.0.0.1:0", "[::1]:0"]) { running async throws in
            #expect(running.addresses.count == 2)
            #expect(running.addresses[1].host == "::1")
            #expect(try await curl("http://127.0.0.1:\(running.addresses[0].port)/-/healthy").status == 200)
            #expect(try await curl("http://[::1]:\(running.addresses[1].port)/-/healthy").status == 200)
        }
    }

    @Test func everyInterfaceWhenNoHostIsGiven() async throws {
        try await withServer(CannedSources().sources(), listen: [":0"]) { running async throws in
            #expect(try await curl("http://127.0.0.1:\(running.port)/-/healthy").status == 200)
            #expect(try await curl("http://[::1]:\(running.port)/-/healthy").status == 200)
        }
    }

    @Test func anAddressInUseIsNamed() async throws {
        try await withServer(CannedSources().sources()) { running async throws in
            let taken = "127.0.0.1:\(running.port)"
            let second = try ExporterHTTPServer(
                configuration: .init(listenAddresses: ["127.0.0.1:0", taken]), sources: CannedSources().sources(),
                logger: Logger(label: "test"), metrics: NOOPMetricsHandler.instance)
            let error = await #expect(throws: ExporterHTTPError.self) { try await second.run() }
            #expect(error == .addressInUse(address: taken))
            #expect(
                error?.description
                    == "address already in use: \(ExporterHTTPSetting.listenAddresses)=\(taken) (another process listens there; "
                    + "stop it or choose another address)")
            #expect(try await curl(running.url("/-/healthy")).status == 200)
        }
    }

    @Test func aHostOfAnotherMachineIsNamed() async throws {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine; nothing is sent.
        let server = try ExporterHTTPServer(
            configuration: .init(listenAddresses: ["192.0.2.1:0"]), sources: CannedSources().sources(),
            logger: Logger(label: "test"), metrics: NOOPMetricsHandler.instance)
        let error = await #expect(throws: ExporterHTTPError.self) { try await server.run() }
        #expect(
            error?.description.hasPrefix("cannot listen on \(ExporterHTTPSetting.listenAddresses)=192.0.2.1:0: ")
                == true)
    }

    @Test func anInvalidWebConfigFailsBeforeBinding() async throws {
        let port = ErlangTools.freePort()
        let file = try WebConfigFile(
            "tls_server_config:\n  cert_file: /nonexistent.pem\n  key_file: /nonexistent.key\n")
        #expect(throws: WebConfigurationError.self) {
            try ExporterHTTPServer(
                configuration: .init(listenAddresses: ["127.0.0.1:\(port)"], webConfigFile: file.path),
                sources: CannedSources().sources(), logger: Logger(label: "test"))
        }
        // Nothing listens there: a connection is refused (curl 7).
        let refused = await #expect(throws: CurlFailure.self) { try await curl("http://127.0.0.1:\(port)/") }
        #expect(refused?.exitCode == 7)
    }

    @Test func gracefulShutdownLetsTheScrapeInFlightFinish() async throws {
        let renderStarted = Mutex(false)
        let sources = CannedSources().sources(render: { format in
            renderStarted.withLock { $0 = true }
            Thread.sleep(forTimeInterval: 1.5)  // On NIO's thread pool, where renders run.
            return Array(CannedExposition.body(format).utf8)
        })
        let running = try await RunningServer(sources: sources)
        let url = running.url("/metrics")
        let scrape = Task { try await curl(url) }
        while !renderStarted.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        await running.group.triggerGracefulShutdown()
        let response = try await scrape.value
        #expect(response.status == 200)
        #expect(response.text == CannedExposition.prometheusText)
        try await running.task.value
        let refused = await #expect(throws: CurlFailure.self) { try await curl(url) }
        #expect(refused?.exitCode == 7)
    }
}
