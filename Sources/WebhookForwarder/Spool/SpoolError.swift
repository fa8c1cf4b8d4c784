#if canImport(Glibc)
    import Glibc
#endif

/// Why the spool cannot be opened or written. Paths are named; nothing a delivery carries is.
public struct SpoolError: Error, CustomStringConvertible, Equatable {
    public let description: String

    init(_ description: String) { self.description = description }

    /// A failed system call on `path`, with the system's reason.
    static func system(_ operation: String, _ path: String, errno code: Int32 = errno) -> SpoolError {
        SpoolError("cannot \(operation) \(path): \(String(cString: strerror(code)))")
    }
}
