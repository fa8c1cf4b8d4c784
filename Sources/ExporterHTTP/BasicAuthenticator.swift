import Crypto
import Foundation
import HummingbirdBcrypt
import NIOCore
import NIOPosix
import Synchronization

/// Checks `Authorization: Basic` credentials against `basic_auth_users`. Every attempt with a
/// user name runs bcrypt once, against the user's hash or, for an unknown user, against an
/// unmatchable hash of the same cost, so that the answer time does not tell which user names
/// exist. Successful credentials are remembered (as a SHA-256 digest) so that a scrape every few
/// seconds does not pay bcrypt each time.
final class BasicAuthenticator: Sendable {
    typealias Verify = @Sendable (_ password: String, _ hash: String) -> Bool

    private let hashes: [String: String]
    private let unknownUserHash: String
    private let verify: Verify
    private let accepted = Mutex<Set<SHA256Digest>>([])
    private static let acceptedLimit = 256

    init(users: [String: String], verify: @escaping Verify = { Bcrypt.verify($0, hash: $1) }) {
        hashes = users.mapValues(BcryptHash.normalized)
        unknownUserHash = BcryptHash.unmatchable(cost: Self.typicalCost(of: Array(users.values)))
        self.verify = verify
    }

    /// The cost most users' hashes have (the higher one on a tie), so that an unknown user takes
    /// as long as most known ones.
    private static func typicalCost(of hashes: [String]) -> Int {
        let costs = hashes.compactMap(BcryptHash.cost(of:))
        let counts = Dictionary(costs.map { ($0, 1) }, uniquingKeysWith: +)
        return counts.max { ($0.value, $0.key) < ($1.value, $1.key) }?.key ?? 10
    }

    /// What became of one request's credentials.
    enum Verdict: Equatable {
        case accepted
        /// Wrong, unknown or malformed; `attempted` when the request carried an Authorization
        /// header at all (a browser's first request does not, and is no failed login).
        case refused(attempted: Bool)
        /// The client's address failed too often: refused without checking.
        case limited(retryAfterSeconds: Int)
    }

    /// The verdict on `authorization` (the header's value) from `client`: credentials already
    /// accepted pass at once; otherwise an address over `limiter`'s limit is refused before
    /// bcrypt runs, and each failure counts against it.
    func verdict(authorization: String?, client: SocketAddress?, limiter: FailedLoginLimiter) async -> Verdict {
        guard let (user, password) = Self.credentials(from: authorization) else {
            if authorization != nil { limiter.failed(client) }
            return .refused(attempted: authorization != nil)
        }
        if let digest = knownDigest(user: user, password: password), accepted.withLock({ $0.contains(digest) }) {
            return .accepted
        }
        if case .limited(let seconds) = limiter.admission(client) { return .limited(retryAfterSeconds: seconds) }
        guard await authenticate(authorization: authorization) else {
            limiter.failed(client)
            return .refused(attempted: true)
        }
        return .accepted
    }

    private func knownDigest(user: String, password: String) -> SHA256Digest? {
        hashes[user].map { Self.digest(user: user, password: password, hash: $0) }
    }

    /// Whether `authorization` (the header's value) names a user and the right password.
    func authenticate(authorization: String?) async -> Bool {
        guard let (user, password) = Self.credentials(from: authorization) else { return false }
        let knownHash = hashes[user]
        let hash = knownHash ?? unknownUserHash
        let digest = Self.digest(user: user, password: password, hash: hash)
        if knownHash != nil, accepted.withLock({ $0.contains(digest) }) { return true }
        let verify = self.verify
        let matches = (try? await NIOThreadPool.singleton.runIfActive { verify(password, hash) }) ?? false
        // bcrypt reads the password as a C string: anything after a NUL would be ignored.
        guard knownHash != nil, matches, !password.utf8.contains(0) else { return false }
        accepted.withLock { accepted in
            if accepted.count >= Self.acceptedLimit { accepted.removeAll() }
            accepted.insert(digest)
        }
        return true
    }

    private static func digest(user: String, password: String, hash: String) -> SHA256Digest {
        var hasher = SHA256()
        for part in [user, password, hash] {
            hasher.update(data: Array(part.utf8))
            hasher.update(data: [0])
        }
        return hasher.finalize()
    }

    /// The user and password of a `Basic` authorization value.
    static func credentials(from authorization: String?) -> (user: String, password: String)? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let data = Data(base64Encoded: String(parts[1].trimmingCharacters(in: .whitespaces))),
            let text = String(data: data, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
