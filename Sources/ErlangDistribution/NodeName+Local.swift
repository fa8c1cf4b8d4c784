#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension NodeName {
    public enum LocalNameError: Error, Equatable, CustomStringConvertible {
        case mixedNameKinds([String])
        case noQualifiedHost(String)

        public var description: String {
            switch self {
            case .mixedNameKinds(let nodes):
                return "the nodes \(nodes.joined(separator: ", ")) mix short and long names; an Erlang cluster uses "
                    + "one kind (-sname or -name): fix \(DistributionSetting.peers)"
            case .noQualifiedHost(let host):
                return "the cluster uses long names but this host's name '\(host)' has no domain; "
                    + "set \(DistributionSetting.localName)=exesdb_exporter@<fully qualified host or IP>"
            }
        }
    }

    /// This node's default name, `exesdb_exporter_<random>@<this host>`: a short host when the
    /// peers use short names (`-sname`), the fully qualified one when they use long names (`-name`).
    public static func defaultLocal(
        peers: [NodeName], hostname: String = currentHostname(), suffix: String = randomSuffix()
    ) throws(LocalNameError) -> NodeName {
        let long = Set(peers.map(\.isLongName))
        guard long.count <= 1 else { throw .mixedNameKinds(peers.map(\.description)) }
        let alive = "exesdb_exporter_\(suffix)"
        if long.first == true {
            guard hostname.contains(".") else { throw .noQualifiedHost(hostname) }
            return NodeName(alive: alive, host: hostname)
        }
        return NodeName(alive: alive, host: String(hostname.prefix { $0 != "." }))
    }

    public static func currentHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func randomSuffix() -> String {
        String(UInt32.random(in: 0...UInt32.max), radix: 16)
    }
}
