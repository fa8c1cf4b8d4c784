import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The system calls of the spool: files created 0600, whole writes, data syncs, the directory
/// lock, and the atomic replacement that compaction uses.
enum SpoolFile {
    /// Creates the spool directory (0700) when missing, durably: its parent is synced too.
    static func makeDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            syncDirectory(of: path)
        } catch {
            throw SpoolError(
                "cannot create the spool directory \(path) (webhooks.spool_dir, \(WebhookSetting.spoolDirectory)): \(error.localizedDescription)"
            )
        }
    }

    /// Opens `path` for appending, creating it readable and writable by this user only.
    static func openForAppend(_ path: String) throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpoolError.system("open", path) }
        // An existing file keeps its mode through open(2); make it private whatever it was.
        guard fchmod(descriptor, 0o600) == 0 else {
            let error = SpoolError.system("chmod", path)
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// Holds an exclusive lock on `directory/spool.lock` for as long as the descriptor is open.
    static func lock(_ directory: String) throws -> Int32 {
        let path = "\(directory)/spool.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpoolError.system("open", path) }
        // A lock can outlive its holder by a moment (a process being forked keeps a copy of the
        // descriptor until it execs; an exporter being replaced is still closing): wait a second.
        var locked = flock(descriptor, LOCK_EX | LOCK_NB) == 0
        for _ in 0..<20 where !locked {
            usleep(50_000)
            locked = flock(descriptor, LOCK_EX | LOCK_NB) == 0
        }
        guard locked else {
            close(descriptor)
            throw SpoolError(
                "the spool directory \(directory) is in use by another exesdb_exporter; give each instance its own webhooks.spool_dir"
            )
        }
        return descriptor
    }

    static func write(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw SpoolError.system("write to", path)
            }
            written += result
        }
    }

    static func sync(_ descriptor: Int32, path: String) throws {
        while fdatasync(descriptor) != 0 {
            if errno != EINTR { throw SpoolError.system("sync", path) }
        }
    }

    static func truncate(_ descriptor: Int32, to size: Int, path: String) throws {
        guard ftruncate(descriptor, off_t(size)) == 0 else { throw SpoolError.system("truncate", path) }
    }

    /// Writes `bytes` into a new file that replaces `path` at once: a crash leaves either the
    /// old file or the new one, never a mix. Returns the new file open for appending.
    static func replace(_ path: String, with bytes: [UInt8]) throws -> Int32 {
        let temporary = path + ".compacting"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpoolError.system("open", temporary) }
        do {
            try write(descriptor, bytes, path: temporary)
            try sync(descriptor, path: temporary)
        } catch {
            close(descriptor)
            // A half-written copy would hold on to space a full disk needs.
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let error = SpoolError.system("rename \(temporary) to", path)
            unlink(temporary)
            throw error
        }
        syncDirectory(of: path)
        return try openForAppend(path)
    }

    /// Creates `path` (0600; it must not exist) with `bytes`, durably.
    static func createNew(_ path: String, with bytes: [UInt8]) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpoolError.system("create", path) }
        do {
            try write(descriptor, bytes, path: path)
            try sync(descriptor, path: path)
        } catch {
            close(descriptor)
            unlink(path)
            throw error
        }
        close(descriptor)
        syncDirectory(of: path)
    }

    /// Overwrites the magic of the records at `offsets` with the done magic, in place: existing
    /// blocks are rewritten, so this works on a full disk (not on a copy-on-write file system).
    /// Not synced: like a completion, a mark lost in a crash only sends a delivery again.
    static func markDone(_ path: String, at offsets: [Int]) throws {
        guard !offsets.isEmpty else { return }
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SpoolError.system("open", path) }
        defer { close(descriptor) }
        let magic = SpoolRecord.doneMagic
        for offset in offsets {
            var written = -1
            repeat {
                written = magic.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
            } while written < 0 && errno == EINTR
            guard written == magic.count else { throw SpoolError.system("mark records done in", path) }
        }
    }

    /// Makes a creation or rename in the directory of `path` durable; a failure here only
    /// weakens the guarantee of that one entry.
    static func syncDirectory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
