#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The shared secret of an Erlang cluster. Never printed: its description is redacted.
public struct Cookie: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let bytes: [UInt8]

    public enum LoadError: Error, Equatable, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case tooOpen(path: String, mode: String)
        case empty(source: String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason):
                return
                    "cannot read the Erlang cookie file \(path): \(reason); set \(DistributionSetting.cookieFile) or ERLANG_COOKIE"
            case .tooOpen(let path, let mode):
                return "the Erlang cookie file \(path) is readable by others (mode \(mode)), which Erlang refuses too; "
                    + "run: chmod 400 \(path)"
            case .empty(let source):
                return "the Erlang cookie from \(source) is empty; write the cluster's cookie there"
            }
        }
    }

    public init(_ text: String) {
        bytes = Array(text.utf8)
    }

    public var description: String { "<cookie redacted>" }
    public var debugDescription: String { description }

    /// From `ERLANG_COOKIE` when set, else from `file` (default `~/.erlang.cookie`), which must not
    /// be readable by group or others, as Erlang itself requires.
    public static func load(file: String? = nil, environment: [String: String]) throws(LoadError) -> Cookie {
        if file == nil, let value = environment["ERLANG_COOKIE"] {
            let trimmed = value.trimmingWhitespace()
            guard !trimmed.isEmpty else { throw .empty(source: "ERLANG_COOKIE") }
            return Cookie(trimmed)
        }
        let path = file ?? ((environment["HOME"] ?? "") + "/.erlang.cookie")
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & 0o077 == 0 else {
            throw .tooOpen(path: path, mode: String(info.st_mode & 0o777, radix: 8))
        }
        guard let text = readWholeFile(path) else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty(source: path) }
        return Cookie(trimmed)
    }

    private static func readWholeFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return ferror(file) == 0 ? String(decoding: bytes, as: UTF8.self) : nil
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
