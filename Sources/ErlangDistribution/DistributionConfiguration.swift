import ErlangTerm
import NIOCore
import NIOSSL

/// How this node behaves on its connections.
public struct DistributionConfiguration: Sendable {
    /// Erlang's `net_ticktime`: a peer silent this long is declared dead; we tick every quarter of it.
    public var netTickTime: TimeAmount
    public var handshakeTimeout: TimeAmount
    /// The largest frame accepted from a peer.
    public var maxFrameSize: Int
    public var backoff: Backoff
    /// TLS distribution (`-proto_dist inet_tls`), when set.
    public var tls: TLSConfiguration?
    public var termLimits: TermDecodingLimits
    /// Bytes a second above which a connection is read in batches, a millisecond apart
    /// (`ReadPacing`): a flood costs fewer reads, and below it nothing waits.
    public var floodRate: Int

    public init(
        netTickTime: TimeAmount = .seconds(60), handshakeTimeout: TimeAmount = .seconds(10),
        maxFrameSize: Int = 64 << 20, backoff: Backoff = Backoff(), tls: TLSConfiguration? = nil,
        termLimits: TermDecodingLimits = .default, floodRate: Int = defaultFloodRate
    ) {
        self.floodRate = floodRate
        self.netTickTime = netTickTime
        self.handshakeTimeout = handshakeTimeout
        self.maxFrameSize = maxFrameSize
        self.backoff = backoff
        self.tls = tls
        self.termLimits = termLimits
    }

    /// 20 MB a second: about 37,000 signed broadcasts.
    public static let defaultFloodRate = 20_000_000
}

/// Exponential backoff with jitter between connection attempts, capped.
public struct Backoff: Sendable, Equatable {
    public var initial: TimeAmount
    public var maximum: TimeAmount
    public var multiplier: Double
    /// Each delay is spread uniformly over ±`jitter` of itself, so peers do not reconnect in step.
    public var jitter: Double

    public init(
        initial: TimeAmount = .milliseconds(500), maximum: TimeAmount = .seconds(30), multiplier: Double = 2,
        jitter: Double = 0.2
    ) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The delay before attempt `attempt` (0 for the first retry). Never more than `maximum`, the
    /// jitter included: at the cap it only shortens the wait (a node that comes back is retried
    /// within the documented maximum, and peers at the cap still do not retry in step).
    public func delay(attempt: Int, using random: inout some RandomNumberGenerator) -> TimeAmount {
        let limit = Double(maximum.nanoseconds)
        let base = Double(initial.nanoseconds) * pow(multiplier, Double(min(attempt, 62)))
        let capped = min(base, limit)
        let spread = capped * jitter
        let low = max(capped - spread, 0)
        let high = min(capped + spread, limit)
        return .nanoseconds(Int64(low < high ? Double.random(in: low...high, using: &random) : low))
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(exponent) where result < 1e18 { result *= base }
        return result
    }
}
