/// The modular-crypt form of a bcrypt hash: `$2a$`, `$2b$` or `$2y$`, a two-digit cost, `$`,
/// then 22 characters of salt and 31 of digest in bcrypt's base64 alphabet.
enum BcryptHash {
    private static let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    private static let alphabetSet = Set(alphabet)
    private static let bodyLength = 53

    /// The cost of `hash`, or nil when it is not a bcrypt hash.
    static func cost(of hash: String) -> Int? {
        let characters = Array(hash)
        guard characters.count == 7 + bodyLength, characters[0] == "$", characters[1] == "2",
            ["a", "b", "y"].contains(characters[2]), characters[3] == "$", characters[6] == "$",
            let cost = Int(String(characters[4...5])), (4...31).contains(cost),
            characters[7...].allSatisfy(alphabetSet.contains)
        else { return nil }
        return cost
    }

    /// `$2y$` (htpasswd's prefix) is the same algorithm as `$2b$`, the only one the bcrypt
    /// implementation we call knows besides `$2a$`.
    static func normalized(_ hash: String) -> String {
        hash.hasPrefix("$2y$") ? "$2b$" + hash.dropFirst(4) : hash
    }

    /// A hash of `cost` with a random salt and digest: it matches no password, and checking a
    /// password against it takes as long as against a real hash of that cost.
    static func unmatchable(cost: Int) -> String {
        let body = String((0..<bodyLength).map { _ in alphabet.randomElement() ?? "." })
        let costText = cost < 10 ? "0\(cost)" : "\(cost)"
        return "$2b$\(costText)$\(body)"
    }

    static func validate(user: String, hash: String) throws(WebConfigurationError) {
        let key = "basic_auth_users.\(user)"
        guard !user.isEmpty, !user.contains(":") else {
            throw .init(.invalidValue, key: key, value: user, expected: "a user name without ':'")
        }
        guard cost(of: hash) != nil else {
            throw .init(
                .invalidValue, key: key,
                expected: "a bcrypt hash such as `htpasswd -nBC 10 \"\" | tr -d ':\\n'` prints "
                    + "($2y$, $2b$ or $2a$, a cost from 04 to 31, then 53 characters)")
        }
    }
}
