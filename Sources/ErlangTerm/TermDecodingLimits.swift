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
    /// Most subterms in one term. Each costs 20 bytes of index, so this bounds the memory a
    /// term of one-byte subterms (a long list of `[]`, say) can claim.
    public var maxSubterms: Int

    public init(
        maxInputBytes: Int = 64 << 20,
        maxDepth: Int = 512,
        maxBigIntegerBytes: Int = 16 << 10,
        maxDecompressedBytes: Int = 64 << 20,
        maxSubterms: Int = 1 << 22
    ) {
        self.maxInputBytes = maxInputBytes
        self.maxDepth = maxDepth
        self.maxBigIntegerBytes = maxBigIntegerBytes
        self.maxDecompressedBytes = maxDecompressedBytes
        self.maxSubterms = maxSubterms
    }

    public static let `default` = TermDecodingLimits()
}
