import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import ServiceLifecycle

/// The exporter's HTTP server: the telemetry path, `/`, `/-/healthy` and `/-/ready` on every
/// `--web.listen-address`, with the `--web.config.file` TLS, basic auth and headers. Run it in a
/// ServiceGroup: a graceful shutdown stops accepting and lets in-flight scrapes finish.
public struct ExporterHTTPServer: Service, CustomStringConvertible {
    private let configuration: ExporterHTTPConfiguration
    private let addresses: [ListenAddress]
    private let sources: ExporterHTTPSources
    private let logger: Logger
    private let webConfiguration: LiveWebConfiguration
    private let telemetry: TelemetryEndpoint
    private let rejections: HTTPRejections
    private let listeners: Listeners
    /// Open connections of every listener together, against `--web.max-connections`.
    private let connections = ConnectionCount()
    private let acceptConditions: AcceptConditions
    private let loginLimiter = FailedLoginLimiter()
    private let limitedClients: LimitedClientsLog

    /// Checks the flags and loads the web config (certificates included) without binding
    /// anything; throws `ExporterHTTPError` or `WebConfigurationError`.
    public init(
        configuration: ExporterHTTPConfiguration, sources: ExporterHTTPSources, logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) throws {
        (addresses, webConfiguration) = try Self.checked(configuration)
        listeners = Listeners(addresses)
        self.configuration = configuration
        self.sources = sources
        self.logger = logger
        telemetry = TelemetryEndpoint(render: sources.render, metrics: metrics)
        rejections = HTTPRejections(factory: metrics)
        acceptConditions = AcceptConditions(logger: logger)
        limitedClients = LimitedClientsLog(logger: logger)
    }

    /// Checks the flags and the web config (certificates and keys loaded), binding nothing: what
    /// `--config.check` asks of the HTTP side.
    public static func check(_ configuration: ExporterHTTPConfiguration) throws {
        _ = try checked(configuration)
    }

    /// Every check of the HTTP side's settings, for the server and `--config.check` alike: the
    /// listen addresses, the telemetry path, the connection limits, then the web config.
    private static func checked(
        _ configuration: ExporterHTTPConfiguration
    ) throws -> (addresses: [ListenAddress], web: LiveWebConfiguration) {
        let addresses = try configuration.parsedListenAddresses()
        try configuration.validateTelemetryPath()
        try validate(configuration.limits)
        return (addresses, try LiveWebConfiguration(file: configuration.webConfigFile))
    }

    private static func validate(_ limits: ConnectionLimits) throws(ExporterHTTPError) {
        let (shortest, fewest) = (ConnectionLimits.shortestTimeout, ConnectionLimits.fewestConnections)
        let shortestText = "\(Int(shortest / .milliseconds(1)))ms"
        guard limits.readHeaderTimeout >= shortest else {
            throw .invalidLimit(setting: .readHeaderTimeout, reason: "expected at least \(shortestText)")
        }
        guard limits.idleTimeout >= shortest else {
            throw .invalidLimit(setting: .idleTimeout, reason: "expected at least \(shortestText)")
        }
        guard limits.maxConnections >= fewest else {
            throw .invalidLimit(setting: .maxConnections, reason: "expected at least \(fewest)")
        }
    }

    /// What ServiceLifecycle logs: the addresses and the path, not the sources or the web config.
    public var description: String {
        "ExporterHTTPServer(addresses: \(addresses.map(\.description)), path: \(configuration.telemetryPath))"
    }

    /// Reads `--web.config.file` again (on SIGHUP): new connections get the new certificates,
    /// every request from now on the new users and headers; established connections stay. A
    /// file that cannot be used is refused, logged, and the configuration in force stays.
    public func reloadWebConfig() throws(WebConfigurationError) {
        do {
            try webConfiguration.reload()
        } catch {
            logger.error(
                "web configuration not reloaded; the previous one stays in force",
                metadata: ["error": "\(error)"])
            throw error
        }
        logger.info("web configuration reloaded", metadata: webConfigurationMetadata)
    }

    /// Scrapes waiting for a render now (for tests of the shared render).
    var callersWaitingForRenders: Int { telemetry.renders.callersWaiting }

    /// The addresses listened on so far, with the ports actually bound (port 0 picks one).
    public var boundAddresses: [ListenAddress] { listeners.bound }

    /// Waits until every listen address is bound; fails if `run()` failed or `timeout` passed.
    public func waitUntilListening(timeout: Duration = .seconds(10)) async throws -> [ListenAddress] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let failure = listeners.failure { throw failure }
            let bound = listeners.bound
            if bound.count == addresses.count { return bound }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ExporterHTTPError.cannotListen(
            address: addresses.map(\.description).joined(separator: ", "), reason: "not listening after \(timeout)")
    }

    /// Serves every listen address until a graceful shutdown; when one address fails, the
    /// others shut down gracefully and the failure is thrown.
    public func run() async throws {
        let listeners = addresses.map { address in
            ServiceGroupConfiguration.ServiceConfiguration(
                service: Listener(address: address, server: self),
                successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup)
        }
        do {
            try await ServiceGroup(configuration: .init(services: listeners, logger: frameworkLogger)).run()
        } catch {
            self.listeners.fail(error)
            throw error
        }
    }

    /// One listen address as a service of its own.
    private struct Listener: Service, CustomStringConvertible {
        let address: ListenAddress
        let server: ExporterHTTPServer
        var description: String { "listener \(address)" }

        func run() async throws {
            try await server.serve(address)
        }
    }

    /// `:port` listens on `::` (IPv4 too, through the dual stack) or, without IPv6, `0.0.0.0`.
    private func serve(_ address: ListenAddress) async throws {
        do {
            guard let host = address.host else {
                do {
                    return try await serve(address, host: "::")
                } catch  where BindFailure.isMissingIPv6(error) && !listeners.isBound(address) {
                    return try await serve(address, host: "0.0.0.0")
                }
            }
            try await serve(address, host: host)
        } catch  where !listeners.isBound(address) {
            throw BindFailure.describe(error, address: address)
        }
    }

    private func serve(_ address: ListenAddress, host: String) async throws {
        let (webConfiguration, rejections, listeners, limits) = (
            webConfiguration, rejections, listeners, configuration.limits
        )
        let router = Endpoints.router(
            telemetryPath: configuration.telemetryPath, sources: sources, telemetry: telemetry,
            enableLifecycle: configuration.enableLifecycle,
            middleware: WebMiddleware(
                webConfiguration: webConfiguration, rejections: rejections, limiter: loginLimiter,
                limitLog: limitedClients))
        let gate: @Sendable () -> AcceptGate = { [connections, acceptConditions] in
            AcceptGate(
                limit: limits.maxConnections, count: connections, rejections: rejections, conditions: acceptConditions)
        }
        let application = Application(
            router: router,
            server: HTTPServerBuilder { responder in
                WebChannel(
                    responder: responder, webConfiguration: webConfiguration, limits: limits, rejections: rejections,
                    logger: logger)
            },
            configuration: .init(address: .hostname(host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                // First in the listening socket's pipeline: it sees each accepted connection and
                // each accept error before NIO's own handlers.
                try? await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(gate(), position: .first)
                }.get()
                listeners.record(address, localAddress: channel.localAddress)
                logger.info("listening", metadata: listeningMetadata(channel.localAddress))
            },
            logger: frameworkLogger)
        try await application.run()
    }

    /// Hummingbird and ServiceLifecycle log what we log better ("listening", bind errors):
    /// they keep notices and above only.
    private var frameworkLogger: Logger {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        return quiet
    }

    private func listeningMetadata(_ socket: SocketAddress?) -> Logger.Metadata {
        var metadata = webConfigurationMetadata
        metadata["address"] = "\(socket.map(Listeners.text) ?? "?")"
        metadata["telemetry_path"] = "\(configuration.telemetryPath)"
        metadata["max_connections"] = "\(configuration.limits.maxConnections)"
        metadata["read_header_timeout"] = "\(configuration.limits.readHeaderTimeout)"
        metadata["idle_timeout"] = "\(configuration.limits.idleTimeout)"
        metadata["lifecycle"] = "\(configuration.enableLifecycle)"
        return metadata
    }

    private var webConfigurationMetadata: Logger.Metadata {
        let loaded = webConfiguration.loaded
        return [
            "web_config_file": "\(webConfiguration.file ?? "none")",
            "tls": "\(loaded.tls != nil)",
            "basic_auth_users": "\(loaded.configuration.basicAuthUsers.count)",
        ]
    }
}
