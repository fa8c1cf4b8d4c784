import Foundation

/// The standard `process_*` families, read from /proc at every scrape (as the Go and Python
/// clients do). On systems without /proc the families stay empty.
public struct ProcessCollector: Sendable {
    private let cpu: CounterFamily
    private let resident: GaugeFamily
    private let virtual: GaugeFamily
    private let openFDs: GaugeFamily
    private let maxFDs: GaugeFamily
    private let startTime: GaugeFamily

    public init(store: MetricsStore) throws(FamilyRegistrationError) {
        cpu = try store.counter(
            "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", unit: "seconds",
            expires: false)
        resident = try store.gauge(
            "process_resident_memory_bytes", help: "Resident memory size in bytes.", unit: "bytes", expires: false)
        virtual = try store.gauge(
            "process_virtual_memory_bytes", help: "Virtual memory size in bytes.", unit: "bytes", expires: false)
        openFDs = try store.gauge("process_open_fds", help: "Number of open file descriptors.", expires: false)
        maxFDs = try store.gauge("process_max_fds", help: "Maximum number of open file descriptors.", expires: false)
        startTime = try store.gauge(
            "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.",
            unit: "seconds", expires: false)
    }

    /// Registers the collector to run before every render.
    public func install(in store: MetricsStore) {
        let collector = self
        store.addCollector { collector.collect() }
    }

    public func collect() {
        if let stat = ProcessStat.read() {
            cpu.setTotal(stat.cpuSeconds)
            resident.set(stat.residentBytes)
            virtual.set(stat.virtualBytes)
            if let start = stat.startTimeSeconds { startTime.set(start) }
        }
        if let count = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count {
            openFDs.set(Double(count))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFDs.set(Double(limit.rlim_cur)) }
    }
}

/// The fields of /proc/self/stat the collector needs (proc(5)).
struct ProcessStat {
    var cpuSeconds: Double
    var virtualBytes: Double
    var residentBytes: Double
    var startTimeSeconds: Double?

    static func read() -> ProcessStat? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8) else { return nil }
        return parse(
            text, bootTime: bootTime(), ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))),
            pageSize: Double(sysconf(Int32(_SC_PAGESIZE))))
    }

    /// Fields after the command name, which is in parentheses and may itself hold spaces.
    static func parse(_ text: String, bootTime: Double?, ticksPerSecond: Double, pageSize: Double) -> ProcessStat? {
        guard let close = text.lastIndex(of: ")"), ticksPerSecond > 0 else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3 of proc(5)); field n is fields[n - 3].
        func field(_ number: Int) -> Double? {
            number - 3 < fields.count ? Double(fields[number - 3]) : nil
        }
        guard let user = field(14), let system = field(15), let start = field(22), let size = field(23),
            let pages = field(24)
        else { return nil }
        return ProcessStat(
            cpuSeconds: (user + system) / ticksPerSecond, virtualBytes: size, residentBytes: pages * pageSize,
            startTimeSeconds: bootTime.map { $0 + start / ticksPerSecond })
    }

    private static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
