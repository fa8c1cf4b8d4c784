import ArgumentParser
import ClusterSubscription
import ErlangDistribution
import GaterMessages
import NIOCore
import NIOSSL
import PhoenixPubSub

/// The `--erlang.*` flags.
struct ErlangOptions: ParsableArguments {
    @Option(name: .customLong("erlang.nodes"), help: "An ExESDB node to join, as name@host (repeatable).")
    var nodes: [String] = []

    @Option(
        name: .customLong("erlang.name"),
        help: "This node's name (default: exesdb_exporter_<random>@<this host>, short or long like the nodes).")
    var name: String?

    @Option(
        name: .customLong("erlang.cookie-file"),
        help:
            "The cluster's cookie, in a file readable by its owner only (default: ERLANG_COOKIE, else ~/.erlang.cookie)."
    )
    var cookieFile: String?

    @Option(
        name: .customLong("erlang.net-ticktime"),
        help: "Erlang's net_ticktime in seconds: a silent peer is dead after it.")
    var netTickTime: Int = 60

    @Option(name: .customLong("erlang.max-frame-size"), help: "Largest distribution frame accepted, in bytes.")
    var maxFrameSize: Int = 64 << 20

    @Flag(name: .customLong("erlang.listen"), help: "Also register in EPMD and accept connections from the nodes.")
    var listen = false

    @Option(
        name: .customLong("erlang.tls.ca-file"), help: "Use TLS distribution (-proto_dist inet_tls), trusting this CA.")
    var tlsCAFile: String?

    @Option(name: .customLong("erlang.tls.cert-file"), help: "Our certificate for TLS distribution.")
    var tlsCertificateFile: String?

    @Option(name: .customLong("erlang.tls.key-file"), help: "The key of --erlang.tls.cert-file.")
    var tlsKeyFile: String?

    @Flag(
        name: .customLong("erlang.tls.insecure-skip-verify"),
        help: "Do not verify the nodes' certificates (logs a warning; for tests only).")
    var tlsInsecure = false

    func validate() throws {
        guard netTickTime >= 4 else {
            throw ValidationError(
                "--erlang.net-ticktime=\(netTickTime): expected at least 4 seconds, as Erlang requires")
        }
        guard maxFrameSize >= 1024 else {
            throw ValidationError("--erlang.max-frame-size=\(maxFrameSize): expected at least 1024 bytes")
        }
        guard (tlsCertificateFile == nil) == (tlsKeyFile == nil) else {
            throw ValidationError("--erlang.tls.cert-file and --erlang.tls.key-file go together: give both or neither")
        }
    }

    /// Everything needed to join: checked names, the cookie, the connection settings.
    func resolve(environment: [String: String]) throws -> ClusterSetup {
        let peers = try nodes.map { text in
            do {
                return try NodeName(parsing: text)
            } catch {
                throw ValidationError("--erlang.nodes=\(text): \(error)")
            }
        }
        let local = try name.map { try NodeName(parsing: $0) } ?? NodeName.defaultLocal(peers: peers)
        let cookie = try Cookie.load(file: cookieFile, environment: environment)
        var configuration = DistributionConfiguration(
            netTickTime: .seconds(Int64(netTickTime)), maxFrameSize: maxFrameSize)
        configuration.tls = try tlsConfiguration()
        return ClusterSetup(
            local: local, peers: peers, cookie: cookie, configuration: configuration, listen: listen,
            insecureTLS: tlsInsecure, epmdPort: environment["ERL_EPMD_PORT"].flatMap { Int($0) })
    }

    private func tlsConfiguration() throws -> TLSConfiguration? {
        guard tlsCAFile != nil || tlsCertificateFile != nil || tlsInsecure else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let tlsCAFile { tls.trustRoots = .file(tlsCAFile) }
        if let tlsCertificateFile, let tlsKeyFile {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(tlsCertificateFile).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: tlsKeyFile, format: .pem))
        }
        if tlsInsecure { tls.certificateVerification = .none }
        return tls
    }
}

/// The resolved cluster settings.
struct ClusterSetup: Sendable {
    var pubsub = PubSubConfiguration()
    var discover = true
    var shard = Shard.all
    var secret: SecretKeyBase?

    func with(pubsub: PubSubConfiguration, discover: Bool, shard: Shard, secret: SecretKeyBase?) -> ClusterSetup {
        var copy = self
        copy.pubsub = pubsub
        copy.discover = discover
        copy.shard = shard
        copy.secret = secret
        return copy
    }

    let local: NodeName
    let peers: [NodeName]
    let cookie: Cookie
    let configuration: DistributionConfiguration
    let listen: Bool
    let insecureTLS: Bool
    /// From ERL_EPMD_PORT; nil for the standard 4369. Nothing else of the environment is kept:
    /// it holds secrets.
    let epmdPort: Int?
}
