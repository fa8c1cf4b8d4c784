import BEAMPeers
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A tmpfs of its own, filled up to what a test leaves free, so that the spool's own writes fail
/// with a real ENOSPC: the real write path, as on a full disk. (A file size limit gives EFBIG
/// and a signal, and /dev/full cannot hold a spool that is read back.) Mounting needs root
/// (CAP_SYS_ADMIN): without it the test is cancelled and says why.
struct SmallDisk {
    let path: String

    static func mount(at path: String, size: String) async throws -> SmallDisk {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try await ErlangTools.run("mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0700", "tmpfs", path])
        guard result.status == 0 else {
            try Test.cancel(
                "cannot mount a tmpfs at \(path) to fill it up (this needs root): \(result.output.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        return SmallDisk(path: path)
    }

    /// The bytes an unprivileged writer can still use.
    var available: Int {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return 0 }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }

    /// Fills the disk with a file of zeros but for `leaving` bytes (none are added when fewer
    /// are free).
    func fill(leaving: Int) throws {
        let size = max(available - leaving, 0)
        let name = "\(path)/filler-\(UUID().uuidString)"
        try Data(count: size).write(to: URL(fileURLWithPath: name))
    }

    /// Makes room again: removes what `fill` wrote.
    func free() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: path) where name.hasPrefix("filler-") {
            try FileManager.default.removeItem(atPath: "\(path)/\(name)")
        }
    }

    /// Unmounts, lazily: a spool still open would otherwise keep it busy. Once more is harmless.
    func unmount() async { _ = try? await ErlangTools.run("umount", ["-l", path]) }
}
