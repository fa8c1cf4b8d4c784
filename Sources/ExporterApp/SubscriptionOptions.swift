import ArgumentParser
import ClusterSubscription
import ErlangTerm
import ExporterConfiguration
import Foundation
import GaterMessages
import PhoenixPubSub

/// The `--pubsub.*`, `--cluster.*` and `--security.*` flags, over their config file sections.
struct SubscriptionOptions: ParsableArguments {
    static let defaultBuses = ["ex_esdb_metrics", "ex_esdb_health", "ex_esdb_alerts"]

    @Option(name: .customLong("pubsub.buses"), help: HelpPage.help("pubsub.buses"))
    var buses: [String] = []

    @Flag(name: .customLong("pubsub.all-buses"), inversion: .prefixedNo, help: HelpPage.help("pubsub.all-buses"))
    var allBuses: Bool?

    /// Text, not an integer: a bad value gets this exporter's message and exit status 2.
    @Option(name: .customLong("pubsub.pool-size"), help: HelpPage.help("pubsub.pool-size"))
    var poolSize: String?

    @Option(name: .customLong("pubsub.topics"), help: HelpPage.help("pubsub.topics"))
    var topics: [String] = []

    @Option(name: .customLong("pubsub.scope"), help: HelpPage.help("pubsub.scope"))
    var scope: String?

    @Flag(name: .customLong("cluster.discover"), inversion: .prefixedNo, help: HelpPage.help("cluster.discover"))
    var discover: Bool?

    @Option(name: .customLong("cluster.shard"), help: HelpPage.help("cluster.shard"))
    var shard: String?

    @Option(name: .customLong("cluster.refresh-interval"), help: HelpPage.help("cluster.refresh-interval"))
    var refreshInterval: String?

    @Option(
        name: .customLong("security.secret-key-base-file"), help: HelpPage.help("security.secret-key-base-file"))
    var secretKeyBaseFile: String?

    /// Adds the subscription settings, flags over the file, to `setup`.
    func resolve(
        _ setup: ClusterSetup, file: ExporterFileSettings, environment: [String: String]
    ) throws
        -> ClusterSetup
    {
        var setup = setup
        let busNames = Self.buses(
            named: buses.isEmpty ? file.pubsub?.buses : buses, all: allBuses ?? file.pubsub?.allBuses ?? false)
        guard !busNames.isEmpty else { throw SettingError("pubsub.buses: give at least one bus") }
        let pool =
            try poolSize.map { try SettingError.wholeNumber($0, flag: "pubsub.pool-size") }
            ?? file.pubsub?.poolSize ?? 1
        guard (1...64).contains(pool) else {
            throw SettingError("pubsub.pool_size (--pubsub.pool-size)=\(pool): expected 1 to 64")
        }
        let filters = try topicFilters(buses: busNames, file: file.pubsub?.topics)
        let scopeName = scope ?? file.pubsub?.scope ?? PubSubConfiguration().scope.name
        guard !scopeName.isEmpty, scopeName.unicodeScalars.count <= 255 else {
            throw SettingError(
                "pubsub.scope (--pubsub.scope)=\"\(scopeName)\": expected the pg scope's name (an atom, 1 to 255 characters), by default Elixir.Phoenix.PubSub"
            )
        }
        setup.pubsub = PubSubConfiguration(
            buses: busNames.map { BusSubscription(name: $0, topics: filters[$0]) }, poolSize: pool,
            scope: Atom(scopeName))
        setup.discover = discover ?? file.cluster?.discover ?? true
        setup.refreshInterval = try SettingError.duration(
            refreshInterval, file: file.cluster?.refreshInterval?.duration, fallback: .seconds(30),
            atLeast: .seconds(1), flag: "cluster.refresh-interval")
        let shardText = shard ?? file.cluster?.shard ?? "0/1"
        do {
            setup.shard = try Shard(parsing: shardText)
        } catch {
            throw SettingError("\(error)")
        }
        setup.secret = try secretKeyBase(
            file: secretKeyBaseFile ?? file.security?.secretKeyBaseFile, environment: environment)
        return setup
    }

    /// The buses named (the three defaults when none are), with all nine when `all`: the ones
    /// named first, in their order, then the rest of the nine in the Gater's order.
    static func buses(named: [String]?, all: Bool) -> [String] {
        let named = named ?? (all ? [] : defaultBuses)
        guard all else { return named }
        return named + GaterBus.allCases.map(\.rawValue).filter { !named.contains($0) }
    }

    /// `--pubsub.topics=bus:topic` flags when given, else the file's `pubsub.topics` map.
    private func topicFilters(buses: [String], file: [String: [String]]?) throws -> [String: Set<String>] {
        var filters: [String: Set<String>] = [:]
        if topics.isEmpty, let file {
            for (bus, names) in file {
                guard buses.contains(bus) else {
                    throw SettingError(
                        "pubsub.topics.\(bus): not one of the buses followed (\(buses.joined(separator: ", ")))")
                }
                filters[bus] = Set(names)
            }
            return filters
        }
        for filter in topics {
            guard let colon = filter.firstIndex(of: ":"), buses.contains(String(filter[..<colon])),
                filter.index(after: colon) < filter.endIndex
            else {
                throw SettingError(
                    "--pubsub.topics=\(filter): expected bus:topic with a bus from --pubsub.buses (\(buses.joined(separator: ", ")))"
                )
            }
            filters[String(filter[..<colon]), default: []].insert(String(filter[filter.index(after: colon)...]))
        }
        return filters
    }

    /// The secret from the file, else from SECRET_KEY_BASE; nil when neither is set.
    private func secretKeyBase(file: String?, environment: [String: String]) throws -> SecretKeyBase? {
        guard let file else { return environment["SECRET_KEY_BASE"].map(SecretKeyBase.init) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw SettingError("--security.secret-key-base-file=\(file): cannot read the file")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw SettingError("--security.secret-key-base-file=\(file): the file is empty") }
        return SecretKeyBase(text)
    }
}
