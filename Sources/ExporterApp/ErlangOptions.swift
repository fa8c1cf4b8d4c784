import ArgumentParser
import ClusterSubscription
import ErlangDistribution
import ExporterConfiguration
import Foundation
import GaterMessages
import NIOCore
import NIOSSL
import PhoenixPubSub

/// The `--erlang.*` flags; each overrides the `erlang:` section of the config file.
struct ErlangOptions: ParsableArguments {
    @Option(name: .customLong("erlang.nodes"), help: HelpPage.help("erlang.nodes"))
    var nodes: [String] = []

    @Option(name: .customLong("erlang.name"), help: HelpPage.help("erlang.name"))
    var name: String?

    @Option(name: .customLong("erlang.cookie-file"), help: HelpPage.help("erlang.cookie-file"))
    var cookieFile: String?

    @Option(name: .customLong("erlang.net-ticktime"), help: HelpPage.help("erlang.net-ticktime"))
    var netTickTime: String?

    /// Text, not an integer: a bad value gets this exporter's message and exit status 2.
    @Option(name: .customLong("erlang.max-frame-size"), help: HelpPage.help("erlang.max-frame-size"))
    var maxFrameSize: String?

    /// Optional with a `--no-` form, so the command line can turn off what the file turns on.
    @Flag(name: .customLong("erlang.listen"), inversion: .prefixedNo, help: HelpPage.help("erlang.listen"))
    var listen: Bool?

    @Option(name: .customLong("erlang.tls.ca-file"), help: HelpPage.help("erlang.tls.ca-file"))
    var tlsCAFile: String?

    @Option(name: .customLong("erlang.tls.cert-file"), help: HelpPage.help("erlang.tls.cert-file"))
    var tlsCertificateFile: String?

    @Option(name: .customLong("erlang.tls.key-file"), help: HelpPage.help("erlang.tls.key-file"))
    var tlsKeyFile: String?

    @Flag(
        name: .customLong("erlang.tls.insecure-skip-verify"), inversion: .prefixedNo,
        help: HelpPage.help("erlang.tls.insecure-skip-verify"))
    var tlsInsecure: Bool?

    /// Everything needed to join, flags over the file: checked names, the cookie, connection settings.
    func resolve(file: ExporterFileSettings.Erlang?, environment: [String: String]) throws -> ClusterSetup {
        let texts = nodes.isEmpty ? file?.nodes ?? [] : nodes
        let source = nodes.isEmpty ? "erlang.nodes" : "--erlang.nodes"
        guard !texts.isEmpty else {
            throw SettingError(
                "erlang.nodes (--erlang.nodes): no ExESDB node to join; expected at least one node name, e.g. --erlang.nodes=ex_esdb@host-1, or erlang: {nodes: [ex_esdb@host-1]} in --config.file"
            )
        }
        let peers = try texts.map { try Self.nodeName($0, source: source) }
        let local =
            try
            (name.map { try Self.nodeName($0, source: "--erlang.name") }
            ?? file?.name.map { try Self.nodeName($0, source: "erlang.name") })
            ?? NodeName.defaultLocal(peers: peers)
        let cookie = try Cookie.load(file: cookieFile ?? file?.cookieFile, environment: environment)
        let configuration = DistributionConfiguration(
            netTickTime: TimeAmount(try tickTime(file: file)), maxFrameSize: try frameSize(file: file))
        var withTLS = configuration
        withTLS.tls = try tlsConfiguration(file: file?.tls)
        return ClusterSetup(
            local: local, peers: peers, cookie: cookie, configuration: withTLS, listen: listen ?? file?.listen ?? false,
            insecureTLS: tlsInsecure ?? file?.tls?.insecureSkipVerify ?? false,
            epmdPort: environment["ERL_EPMD_PORT"].flatMap { Int($0) })
    }

    /// A node name an operator wrote, checked as Erlang would check it, or an error naming where
    /// it came from (`--erlang.name=bad@@host: ...`).
    static func nodeName(_ text: String, source: String) throws -> NodeName {
        if let problem = NodeNameSyntax.problem(in: text) { throw SettingError("\(source)=\(text): \(problem)") }
        do {
            return try NodeName(parsing: text)
        } catch {
            throw SettingError("\(source)=\(text): \(error)")
        }
    }

    private func tickTime(file: ExporterFileSettings.Erlang?) throws -> Duration {
        var tick = file?.netTicktime?.duration ?? .seconds(60)
        if let netTickTime {
            guard let parsed = Int(netTickTime).map({ Duration.seconds($0) }) ?? ConfigDuration.parse(netTickTime)
            else { throw SettingError("--erlang.net-ticktime=\(netTickTime): expected seconds or a duration like 60s") }
            tick = parsed
        }
        guard tick >= .seconds(4) else {
            throw SettingError(
                "erlang.net_ticktime (--erlang.net-ticktime)=\(ConfigDuration(tick)): expected at least 4s, as Erlang requires"
            )
        }
        return tick
    }

    private func frameSize(file: ExporterFileSettings.Erlang?) throws -> Int {
        let size =
            try maxFrameSize.map { try SettingError.wholeNumber($0, flag: "erlang.max-frame-size") }
            ?? file?.maxFrameSize ?? 64 << 20
        guard size >= 1024 else {
            throw SettingError("erlang.max_frame_size (--erlang.max-frame-size)=\(size): expected at least 1024 bytes")
        }
        return size
    }

    private func tlsConfiguration(file: ExporterFileSettings.Erlang.TLS?) throws -> TLSConfiguration? {
        let caFile = tlsCAFile ?? file?.caFile
        let certificateFile = tlsCertificateFile ?? file?.certFile
        let keyFile = tlsKeyFile ?? file?.keyFile
        let insecure = tlsInsecure ?? file?.insecureSkipVerify ?? false
        guard (certificateFile == nil) == (keyFile == nil) else {
            throw SettingError("--erlang.tls.cert-file and --erlang.tls.key-file go together: give both or neither")
        }
        guard caFile != nil || certificateFile != nil || insecure else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.trustRoots = .file(caFile) }
        if let certificateFile, let keyFile {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            } catch {
                throw SettingError(
                    "--erlang.tls.cert-file=\(certificateFile), --erlang.tls.key-file=\(keyFile): cannot load them as PEM: \(error)"
                )
            }
        }
        if insecure { tls.certificateVerification = .none }
        return tls
    }
}

/// The resolved cluster settings.
public struct ClusterSetup: Sendable {
    public var pubsub = PubSubConfiguration()
    public var discover = true
    public var refreshInterval: Duration = .seconds(30)
    public var shard = Shard.all
    public var secret: SecretKeyBase?

    public let local: NodeName
    public let peers: [NodeName]
    public let cookie: Cookie
    public let configuration: DistributionConfiguration
    public let listen: Bool
    public let insecureTLS: Bool
    /// From ERL_EPMD_PORT; nil for the standard 4369. Nothing else of the environment is kept:
    /// it holds secrets.
    public let epmdPort: Int?
}

/// A setting that cannot be used, named with its flag or config key, its value and what is expected.
public struct SettingError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension SettingError {
    /// A flag's value as a whole number, or an error naming the flag, its config key, the value and
    /// what is expected. (Integer options would get argument-parser's message and exit status 64.)
    static func wholeNumber(_ text: String, flag: String) throws -> Int {
        guard let number = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw SettingError(
                "\(configKey(flag)) (--\(flag))=\(text): expected \(HelpPage.flag(flag)?.expected ?? "a whole number")")
        }
        return number
    }

    /// A duration flag's value, else the file's, else `fallback`; refused below `minimum`, with
    /// the flag, its config key, the value and what is expected.
    static func duration(
        _ text: String?, file: Duration?, fallback: Duration, atLeast minimum: Duration, flag: String
    ) throws -> Duration {
        var duration = file ?? fallback
        if let text {
            guard let parsed = ConfigDuration.parse(text) else {
                throw SettingError(
                    "--\(flag)=\(text): expected \(HelpPage.flag(flag)?.expected ?? "a duration like 30s")")
            }
            duration = parsed
        }
        guard duration >= minimum else {
            throw SettingError(
                "\(configKey(flag)) (--\(flag))=\(ConfigDuration(duration)): expected at least \(ConfigDuration(minimum))"
            )
        }
        return duration
    }

    /// The config file key of a flag: `metrics.max-series` is `metrics.max_series`.
    static func configKey(_ flag: String) -> String { flag.replacingOccurrences(of: "-", with: "_") }
}
