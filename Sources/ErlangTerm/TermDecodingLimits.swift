/// Bounds that keep hostile input from exhausting memory or stack.
public struct TermDecodingLimits: Sendable, Equatable {
    /// Largest input accepted, in bytes (the distribution's default maximum frame is the same).
    public var maxInputBytes: Int
    /// Deepest nesting of tuples, lists, maps and funs.
    public var maxDepth: Int
    /// Largest bignum magnitude, in bytes.
    public var maxBigIntegerBytes: Int
    /// Largest size a compressed term may inflate to.
    public var maxDecompressedBytes: Int

    public init(
        maxInputBytes: Int = 64 << 20,
        maxDepth: Int = 512,
        maxBigIntegerBytes: Int = 16 << 10,
        maxDecompressedBytes: Int = 64 << 20
    ) {
        self.maxInputBytes = maxInputBytes
        self.maxDepth = maxDepth
        self.maxBigIntegerBytes = maxBigIntegerBytes
        self.maxDecompressedBytes = maxDecompressedBytes
    }

    public static let `default` = TermDecodingLimits()
}
