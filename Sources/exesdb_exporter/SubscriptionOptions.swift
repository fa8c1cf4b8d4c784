import ArgumentParser
import ClusterSubscription
import Foundation
import GaterMessages
import PhoenixPubSub

/// The `--pubsub.*`, `--cluster.*` and `--security.*` flags.
struct SubscriptionOptions: ParsableArguments {
    @Option(name: .customLong("pubsub.buses"), help: "A Phoenix.PubSub server to follow (repeatable).")
    var buses: [String] = ["ex_esdb_metrics", "ex_esdb_health", "ex_esdb_alerts"]

    @Option(
        name: .customLong("pubsub.pool-size"), help: "The buses' PubSub pool size; every group of the pool is joined.")
    var poolSize: Int = 1

    @Option(
        name: .customLong("pubsub.topics"),
        help: "Only deliver this topic of this bus, as bus:topic (repeatable; a bus without any gets every topic).")
    var topics: [String] = []

    @Flag(
        name: .customLong("cluster.discover"), inversion: .prefixedNo,
        help: "Find the cluster's other nodes through the seeds (erlang:nodes/0 over rex).")
    var discover = true

    @Option(name: .customLong("cluster.shard"), help: "Take only the nodes whose name hashes to shard i of n (i/n).")
    var shard: String = "0/1"

    @Option(
        name: .customLong("security.secret-key-base-file"),
        help: "The publishers' SECRET_KEY_BASE (default: the SECRET_KEY_BASE environment variable).")
    var secretKeyBaseFile: String?

    func validate() throws {
        guard (1...64).contains(poolSize) else {
            throw ValidationError("--pubsub.pool-size=\(poolSize): expected 1 to 64")
        }
        guard !buses.isEmpty else { throw ValidationError("--pubsub.buses: give at least one bus") }
        for filter in topics {
            guard let colon = filter.firstIndex(of: ":"), buses.contains(String(filter[..<colon])),
                filter.index(after: colon) < filter.endIndex
            else {
                throw ValidationError(
                    "--pubsub.topics=\(filter): expected bus:topic with a bus from --pubsub.buses (\(buses.joined(separator: ", ")))"
                )
            }
        }
        _ = try parsedShard()
    }

    func parsedShard() throws -> Shard {
        do {
            return try Shard(parsing: shard)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The secret from the file, else from SECRET_KEY_BASE; nil when neither is set.
    func secretKeyBase(environment: [String: String]) throws -> SecretKeyBase? {
        if let secretKeyBaseFile {
            guard let data = FileManager.default.contents(atPath: secretKeyBaseFile) else {
                throw ValidationError("--security.secret-key-base-file=\(secretKeyBaseFile): cannot read the file")
            }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else {
                throw ValidationError("--security.secret-key-base-file=\(secretKeyBaseFile): the file is empty")
            }
            return SecretKeyBase(text)
        }
        return environment["SECRET_KEY_BASE"].map(SecretKeyBase.init)
    }

    var pubsub: PubSubConfiguration {
        var filters: [String: Set<String>] = [:]
        for filter in topics {
            guard let colon = filter.firstIndex(of: ":") else { continue }
            filters[String(filter[..<colon]), default: []].insert(String(filter[filter.index(after: colon)...]))
        }
        return PubSubConfiguration(
            buses: buses.map { BusSubscription(name: $0, topics: filters[$0]) }, poolSize: poolSize)
    }
}
