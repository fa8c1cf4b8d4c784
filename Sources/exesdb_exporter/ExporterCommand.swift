import ArgumentParser
import ErlangDistribution
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle

/// The executable: parses flags, wires the modules, runs them until SIGTERM or SIGINT.
@main
struct ExporterCommand: AsyncParsableCommand {
    static let version = "0.2.0-dev"

    static let configuration = CommandConfiguration(
        commandName: "exesdb_exporter",
        abstract: "Prometheus exporter for ExESDB: joins the Erlang cluster as a hidden node.",
        discussion: """
            Built so far: the Erlang term codec, the distribution protocol, and the subscription to the \
            ExESDB buses: this version joins the cluster from --erlang.nodes, verifies and decodes every \
            message, and logs what arrives. /metrics and webhooks arrive with the next releases.
            """,
        version: version)

    @OptionGroup(title: "Erlang cluster") var erlang: ErlangOptions

    @OptionGroup(title: "ExESDB buses") var subscription: SubscriptionOptions

    @Option(
        name: .customLong("log.level"),
        help: "Only log messages with the given severity or above: trace, debug, info, warning, error.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "exesdb_exporter")
        let setup: ClusterSetup
        do {
            let environment = ProcessInfo.processInfo.environment
            setup = try erlang.resolve(environment: environment).with(
                pubsub: subscription.pubsub, discover: subscription.discover, shard: try subscription.parsedShard(),
                secret: try subscription.secretKeyBase(environment: environment))
        } catch {
            // A misconfiguration names what is wrong and exits before connecting anything.
            logger.critical("\(error)")
            throw ExitCode(2)
        }
        guard !setup.peers.isEmpty else {
            print("exesdb_exporter \(Self.version): no nodes to join; give --erlang.nodes=name@host (see --help)")
            return
        }
        let cluster = ClusterService(setup: setup, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [cluster], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
