import Foundation

/// What the kernel has charged a whole process (every thread, living or gone), from /proc.
struct ProcessAccounting {
    let pid: Int32

    /// User plus system CPU seconds so far (proc(5): utime and stime, fields 14 and 15, in clock
    /// ticks); nil once the process is gone.
    var cpuSeconds: Double? {
        guard let fields = statFields(), fields.count > 12, let user = Double(fields[11]),
            let system = Double(fields[12])
        else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Nanoseconds on a CPU of the threads alive now (the first field of each
    /// /proc/pid/task/tid/schedstat): finer than `cpuSeconds`, for telling when a process went quiet.
    var threadNanoseconds: Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.reduce(0) { total, task in
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8)) ?? ""
            return total + (text.split(separator: " ").first.flatMap { Int($0) } ?? 0)
        }
    }

    /// Resident memory (the second field of /proc/pid/statm, in pages).
    var residentBytes: Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The executable's name, to check that the pid is the process meant (`beam.smp`, not a shell).
    var command: String {
        ((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? "?")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The fields after the command name, which may itself hold spaces and parentheses.
    private func statFields() -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }
}
