import BEAMPeers
import Foundation

/// Heap allocations of a whole running process, every thread, counted by uprobes on the C
/// library's allocator entry points (Debian's linux-perf; making the probes needs root). A probe
/// traps on every call, so a process counted is slowed: never count during a CPU measurement.
enum ProcessAllocations {
    static let functions = ["malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc"]

    /// Starts counting the allocations of `pid`; nil (with the reason printed) when perf or its
    /// probes are not to be had here.
    static func start(pid: Int32) async -> BackgroundProcess? {
        guard let libc = library(of: pid) else {
            print("    allocations: no C library found in /proc/\(pid)/maps")
            return nil
        }
        for function in functions where !(await probeExists(function)) {
            let made = try? await ErlangTools.run("perf", ["probe", "-q", "-x", libc, function])
            guard made?.status == 0 else {
                print(
                    "    allocations: cannot place a uprobe on \(function) (needs root and linux-perf): \(made?.output ?? "")"
                )
                return nil
            }
        }
        let events = functions.map { "probe_libc:\($0)" }.joined(separator: ",")
        // Counts every 100 ms (a delta each): summed at the end, so perf can simply be killed then
        // (a child started with SIGINT ignored would not stop on it).
        guard
            let perf = try? BackgroundProcess("perf", ["stat", "-I", "100", "-x", ",", "-e", events, "-p", "\(pid)"])
        else {
            print("    allocations: cannot run perf stat")
            return nil
        }
        // perf attaches asynchronously; give it a moment before the counted work starts.
        try? await Task.sleep(for: .milliseconds(500))
        return perf
    }

    /// Stops counting: the allocations counted since `start`.
    static func stop(_ perf: BackgroundProcess) async -> Int? {
        // The last interval's line comes at most 100 ms after the work.
        try? await Task.sleep(for: .milliseconds(300))
        await perf.stop()
        var total = 0
        var seen = false
        for line in perf.lines {
            // time,count,unit,event,...
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count > 3, fields[3].hasPrefix("probe_libc:") else { continue }
            seen = true
            total += Int(fields[1]) ?? 0
        }
        return seen ? total : nil
    }

    private static func probeExists(_ function: String) async -> Bool {
        let listed = try? await ErlangTools.run("perf", ["probe", "-l"])
        return listed?.output.contains("probe_libc:\(function) ") == true
    }

    /// The C library the process maps (read with FileHandle: /proc files report no size, which
    /// a whole-file read trusts).
    private static func library(of pid: Int32) -> String? {
        guard let handle = FileHandle(forReadingAtPath: "/proc/\(pid)/maps"),
            let data = try? handle.readToEnd()
        else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").lazy.compactMap { line -> String? in
            guard let path = line.split(separator: " ").last, path.hasSuffix("/libc.so.6") else { return nil }
            return String(path)
        }.first
    }
}
