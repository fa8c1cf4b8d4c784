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
    @Option(name: Flags.nodes.flag.long, help: Flags.nodes.flag.help)
    var nodes: [String] = []

    @Option(name: Flags.name.flag.long, help: Flags.name.flag.help)
    var name: String?

    @Option(name: Flags.cookieFile.flag.long, help: Flags.cookieFile.flag.help)
    var cookieFile: String?

    @Option(name: Flags.netTickTime.flag.long, help: Flags.netTickTime.flag.help)
    var netTickTime: String?

    /// Text, not an integer: a bad value gets this exporter's message and exit status 2.
    @Option(name: Flags.maxFrameSize.flag.long, help: Flags.maxFrameSize.flag.help)
    var maxFrameSize: String?

    /// Optional with a `--no-` form, so the command line can turn off what the file turns on.
    @Flag(name: Flags.listen.flag.long, inversion: .prefixedNo, help: Flags.listen.flag.help)
    var listen: Bool?

    @Option(name: Flags.tlsCAFile.flag.long, help: Flags.tlsCAFile.flag.help)
    var tlsCAFile: String?

    @Option(name: Flags.tlsCertificateFile.flag.long, help: Flags.tlsCertificateFile.flag.help)
    var tlsCertificateFile: String?

    @Option(name: Flags.tlsKeyFile.flag.long, help: Flags.tlsKeyFile.flag.help)
    var tlsKeyFile: String?

    @Flag(name: Flags.tlsInsecure.flag.long, inversion: .prefixedNo, help: Flags.tlsInsecure.flag.help)
    var tlsInsecure: Bool?

    /// Everything needed to join, flags over the file: checked names, the cookie, connection settings.
    func resolve(file: ExporterFileSettings.Erlang?, environment: [String: String]) throws -> ErlangSettings {
        let nodesFlag = Flags.nodes.flag
        let texts = Flags.nodes.resolve(nodes, file: file?.nodes)
        let source = nodes.isEmpty ? nodesFlag.key : nodesFlag.dashed
        guard !texts.isEmpty else {
            throw SettingError(
                "\(nodesFlag.origin): no ExESDB node to join; expected at least one node name, e.g. "
                    + "\(nodesFlag.dashed)=ex_esdb@host-1, or erlang: {nodes: [ex_esdb@host-1]} in "
                    + Flags.configFile.flag.dashed)
        }
        let peers = try texts.map { try Self.nodeName($0, source: source) }
        let local =
            try
            (name.map { try Self.nodeName($0, source: Flags.name.flag.dashed) }
            ?? file?.name.map { try Self.nodeName($0, source: Flags.name.flag.key) })
            ?? NodeName.defaultLocal(peers: peers)
        let cookie = try Cookie.load(
            file: Flags.cookieFile.resolve(cookieFile, file: file?.cookieFile), environment: environment)
        var configuration = DistributionConfiguration(
            netTickTime: TimeAmount(try Flags.netTickTime.resolve(netTickTime, file: file?.netTicktime?.duration)),
            maxFrameSize: try Flags.maxFrameSize.resolve(maxFrameSize, file: file?.maxFrameSize))
        configuration.tls = try tlsConfiguration(file: file?.tls)
        return ErlangSettings(
            local: local, peers: peers, cookie: cookie, configuration: configuration,
            listen: Flags.listen.resolve(listen, file: file?.listen),
            insecureTLS: Flags.tlsInsecure.resolve(tlsInsecure, file: file?.tls?.insecureSkipVerify),
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

    private func tlsConfiguration(file: ExporterFileSettings.Erlang.TLS?) throws -> TLSConfiguration? {
        let caFile = Flags.tlsCAFile.resolve(tlsCAFile, file: file?.caFile)
        let certificateFile = Flags.tlsCertificateFile.resolve(tlsCertificateFile, file: file?.certFile)
        let keyFile = Flags.tlsKeyFile.resolve(tlsKeyFile, file: file?.keyFile)
        let insecure = Flags.tlsInsecure.resolve(tlsInsecure, file: file?.insecureSkipVerify)
        let (certificateFlag, keyFlag) = (Flags.tlsCertificateFile.flag.dashed, Flags.tlsKeyFile.flag.dashed)
        guard (certificateFile == nil) == (keyFile == nil) else {
            throw SettingError("\(certificateFlag) and \(keyFlag) go together: give both or neither")
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
                    "\(certificateFlag)=\(certificateFile), \(keyFlag)=\(keyFile): cannot load them as PEM: \(error)")
            }
        }
        if insecure { tls.certificateVerification = .none }
        return tls
    }
}

/// The resolved cluster settings.
public struct ErlangSettings: Sendable {
    public var pubsub = PubSubConfiguration()
    public var discover = Flags.discover.defaultValue
    public var refreshInterval = Flags.refreshInterval.defaultValue
    public var shard = Flags.shard.defaultValue
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
