import ArgumentParser
import ClusterSubscription
import ErlangTerm
import ExporterConfiguration
import Foundation
import GaterMessages
import PhoenixPubSub

/// The `--pubsub.*`, `--cluster.*` and `--security.*` flags, over their config file sections.
struct SubscriptionOptions: ParsableArguments {
    static var defaultBuses: [String] { Flags.buses.defaultValue }

    @Option(name: Flags.buses.flag.long, help: Flags.buses.flag.help)
    var buses: [String] = []

    @Flag(name: Flags.allBuses.flag.long, inversion: .prefixedNo, help: Flags.allBuses.flag.help)
    var allBuses: Bool?

    /// Text, not an integer: a bad value gets this exporter's message and exit status 2.
    @Option(name: Flags.poolSize.flag.long, help: Flags.poolSize.flag.help)
    var poolSize: String?

    @Option(name: Flags.topics.flag.long, help: Flags.topics.flag.help)
    var topics: [String] = []

    @Option(name: Flags.scope.flag.long, help: Flags.scope.flag.help)
    var scope: String?

    @Flag(name: Flags.discover.flag.long, inversion: .prefixedNo, help: Flags.discover.flag.help)
    var discover: Bool?

    @Option(name: Flags.shard.flag.long, help: Flags.shard.flag.help)
    var shard: String?

    @Option(name: Flags.refreshInterval.flag.long, help: Flags.refreshInterval.flag.help)
    var refreshInterval: String?

    @Option(name: Flags.secretKeyBaseFile.flag.long, help: Flags.secretKeyBaseFile.flag.help)
    var secretKeyBaseFile: String?

    /// Adds the subscription settings, flags over the file, to `setup`.
    func resolve(
        _ setup: ErlangSettings, file: ExporterFileSettings, environment: [String: String]
    ) throws
        -> ErlangSettings
    {
        var setup = setup
        let busNames = Self.buses(
            named: buses.isEmpty ? file.pubsub?.buses : buses,
            all: Flags.allBuses.resolve(allBuses, file: file.pubsub?.allBuses))
        guard !busNames.isEmpty else { throw SettingError("\(Flags.buses.flag.key): give at least one bus") }
        let pool = try Flags.poolSize.resolve(poolSize, file: file.pubsub?.poolSize)
        let filters = try topicFilters(buses: busNames, file: file.pubsub?.topics)
        let scopeName = try Flags.scope.resolve(scope, file: file.pubsub?.scope)
        setup.pubsub = PubSubConfiguration(
            buses: busNames.map { BusSubscription(name: $0, topics: filters[$0]) }, poolSize: pool,
            scope: Atom(scopeName))
        setup.discover = Flags.discover.resolve(discover, file: file.cluster?.discover)
        setup.refreshInterval = try Flags.refreshInterval.resolve(
            refreshInterval, file: file.cluster?.refreshInterval?.duration)
        setup.shard = try Flags.shard.resolve(shard, fileText: file.cluster?.shard)
        setup.secret = try secretKeyBase(
            file: Flags.secretKeyBaseFile.resolve(secretKeyBaseFile, file: file.security?.secretKeyBaseFile),
            environment: environment)
        return setup
    }

    /// The buses named (the three defaults when none are), with all nine when `all`: the ones
    /// named first, in their order, then the rest of the nine in the Gater's order.
    static func buses(named: [String]?, all: Bool) -> [String] {
        let named = named ?? (all ? [] : Flags.buses.defaultValue)
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
                        "\(Flags.topics.flag.key).\(bus): not one of the buses followed "
                            + "(\(buses.joined(separator: ", ")))")
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
                    "\(Flags.topics.flag.dashed)=\(filter): expected \(Flags.topics.flag.expected) with a bus from "
                        + "\(Flags.buses.flag.dashed) (\(buses.joined(separator: ", ")))")
            }
            filters[String(filter[..<colon]), default: []].insert(String(filter[filter.index(after: colon)...]))
        }
        return filters
    }

    /// The secret from the file, else from SECRET_KEY_BASE; nil when neither is set.
    private func secretKeyBase(file: String?, environment: [String: String]) throws -> SecretKeyBase? {
        guard let file else { return environment["SECRET_KEY_BASE"].map(SecretKeyBase.init) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw SettingError("\(Flags.secretKeyBaseFile.flag.dashed)=\(file): cannot read the file")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            throw SettingError("\(Flags.secretKeyBaseFile.flag.dashed)=\(file): the file is empty")
        }
        return SecretKeyBase(text)
    }
}
