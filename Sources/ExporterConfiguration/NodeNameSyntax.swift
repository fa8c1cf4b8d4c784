#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What an operator may write as an Erlang node name (`--erlang.name`, `--erlang.nodes`):
/// `name@host`, the name as `net_kernel` accepts it (letters, digits, `_` and `-`), the host a
/// host name (dot-separated labels of letters, digits, `-` and `_`) or an IP address. Checked at
/// start, so that `bad@@host` stops the exporter with its flag named instead of failing every
/// handshake forever. Names read from the nodes themselves are not held to this.
public enum NodeNameSyntax {
    /// What is wrong with `text` as a node name; nil when it is a usable one.
    public static func problem(in text: String) -> String? {
        let example = "write it as name@host, e.g. ex_esdb@db-1"
        let ats = text.count { $0 == "@" }
        guard ats > 0 else { return "'\(text)' has no '@': \(example)" }
        guard ats == 1 else { return "'\(text)' has \(ats) '@' where a node name has one: \(example)" }
        guard text.unicodeScalars.count <= 255 else {
            return "'\(text)' is longer than the 255 characters an atom can hold"
        }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let (alive, host) = (parts[0], parts[1])
        guard !alive.isEmpty, !host.isEmpty else { return "'\(text)' needs text on both sides of '@': \(example)" }
        guard alive.unicodeScalars.allSatisfy(isNameCharacter) else {
            return "the name '\(alive)' of '\(text)' may hold only letters, digits, '_' and '-', as Erlang requires"
        }
        return hostProblem(String(host)).map { "the host '\(host)' of '\(text)' \($0)" }
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII
            && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
    }

    /// A host name or an IPv4 address (both dot-separated labels), or an IPv6 address.
    private static func hostProblem(_ host: String) -> String? {
        if host.contains(":") {
            var address = in6_addr()
            return inet_pton(AF_INET6, host, &address) == 1 ? nil : "is not an IPv6 address"
        }
        guard host.utf8.count <= 253 else { return "is longer than the 253 characters of a host name" }
        for label in host.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else { return "has an empty label (two dots, or a dot at an end)" }
            guard label.utf8.count <= 63 else { return "has a label longer than 63 characters" }
            guard label.unicodeScalars.allSatisfy(isNameCharacter) else {
                return "may hold only letters, digits, '-', '_' and dots (or be an IP address)"
            }
        }
        return nil
    }
}
