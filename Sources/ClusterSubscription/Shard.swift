/// `--cluster.shard=i/n`: this instance takes the nodes whose name hashes to `index` modulo
/// `count`, so `count` exporters split a cluster and together see every node exactly once.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public static let all = Shard(index: 0, count: 1)

    /// What a shard's text must be.
    public static let expected = "i/n with 0 <= i < n, e.g. 0/2"

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            guard case .invalid(let text) = self else { return "" }
            return "'\(text)' is not a shard: expected \(Shard.expected)"
        }
    }

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public init(parsing text: String) throws(ParseError) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count > 0,
            (0..<count).contains(index)
        else { throw .invalid(text) }
        self.init(index: index, count: count)
    }

    /// Whether `node` belongs to this shard: FNV-1a (64-bit) of the name's UTF-8, stable across
    /// processes and versions, unlike Swift's seeded `Hasher`.
    public func owns(_ node: String) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in node.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return Int(hash % UInt64(count)) == index
    }

    public var description: String { "\(index)/\(count)" }
}
