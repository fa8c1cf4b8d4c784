import NIOCore
import Synchronization

/// Failed basic-auth attempts per client address, as a token bucket: an address may fail
/// `burst` times in a row, then once per `refill`; beyond that its attempts are refused with 429
/// before bcrypt runs, so a password guesser neither gets many guesses nor burns the exporter's
/// CPU. IPv6 addresses count by their /64 (one host usually has a whole one). At most `capacity`
/// addresses are tracked; the one not seen for longest makes room.
final class FailedLoginLimiter: Sendable {
    /// Whether an address may try now, or how long it must wait.
    enum Admission: Equatable {
        case allowed
        case limited(retryAfterSeconds: Int)
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let burst: Double
    private let refill: Duration
    private let capacity: Int
    private let buckets = Mutex<[[UInt8]: Bucket]>([:])

    init(burst: Int = 10, refill: Duration = .seconds(6), capacity: Int = 10_000) {
        self.burst = Double(burst)
        self.refill = refill
        self.capacity = capacity
    }

    /// Whether `client` may try a password now.
    func admission(_ client: SocketAddress?, now: ContinuousClock.Instant = .now) -> Admission {
        guard let key = Self.key(client) else { return .allowed }
        return buckets.withLock { buckets in
            guard let bucket = buckets[key].map({ refilled($0, now: now) }), bucket.tokens < 1 else { return .allowed }
            let wait = (1 - bucket.tokens) * seconds(refill)
            return .limited(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
        }
    }

    /// Takes one attempt from `client`'s bucket after a failed login; true when that emptied it
    /// (the address is limited from now on: worth a log line).
    @discardableResult
    func failed(_ client: SocketAddress?, now: ContinuousClock.Instant = .now) -> Bool {
        guard let key = Self.key(client) else { return false }
        return buckets.withLock { buckets in
            var bucket = buckets[key].map { refilled($0, now: now) } ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = max(0, bucket.tokens - 1)
            if buckets[key] == nil, buckets.count >= capacity,
                let oldest = buckets.min(by: { $0.value.updated < $1.value.updated })
            {
                buckets[oldest.key] = nil
            }
            buckets[key] = bucket
            return bucket.tokens < 1
        }
    }

    private func refilled(_ bucket: Bucket, now: ContinuousClock.Instant) -> Bucket {
        let earned = seconds(now - bucket.updated) / seconds(refill)
        return Bucket(tokens: min(burst, bucket.tokens + earned), updated: now)
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The address's bytes (the first 8 of an IPv6 address); nil for a Unix socket.
    static func key(_ address: SocketAddress?) -> [UInt8]? {
        switch address {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            // An IPv4 client of a dual-stack listener (::ffff:a.b.c.d) counts by its IPv4 address.
            let mapped = bytes.prefix(10).allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
            return mapped ? Array(bytes.suffix(4)) : Array(bytes.prefix(8))
        default:
            return nil
        }
    }
}
