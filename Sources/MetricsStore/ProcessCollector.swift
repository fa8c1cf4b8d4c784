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
    /// The boot time from /proc/stat, read once: it does not change, and reading that file costs
    /// more than the rest of a small scrape.
    private let bootTime: Double?

    static let cpuFamily = FamilyDescriptor.counter(
        "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", unit: "seconds",
        expires: false)
    static let residentFamily = FamilyDescriptor.gauge(
        "process_resident_memory_bytes", help: "Resident memory size in bytes.", unit: "bytes", expires: false)
    static let virtualFamily = FamilyDescriptor.gauge(
        "process_virtual_memory_bytes", help: "Virtual memory size in bytes.", unit: "bytes", expires: false)
    static let openFDsFamily = FamilyDescriptor.gauge(
        "process_open_fds", help: "Number of open file descriptors.", expires: false)
    static let maxFDsFamily = FamilyDescriptor.gauge(
        "process_max_fds", help: "Maximum number of open file descriptors.", expires: false)
    static let startTimeFamily = FamilyDescriptor.gauge(
        "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.",
        unit: "seconds", expires: false)

    /// In the catalogue (docs/metrics.md).
    public static let families = [
        cpuFamily, residentFamily, virtualFamily, openFDsFamily, maxFDsFamily, startTimeFamily,
    ]

    public init(store: MetricsStore) throws(FamilyRegistrationError) {
        cpu = CounterFamily(family: try store.register(Self.cpuFamily))
        resident = GaugeFamily(family: try store.register(Self.residentFamily))
        virtual = GaugeFamily(family: try store.register(Self.virtualFamily))
        openFDs = GaugeFamily(family: try store.register(Self.openFDsFamily))
        maxFDs = GaugeFamily(family: try store.register(Self.maxFDsFamily))
        startTime = GaugeFamily(family: try store.register(Self.startTimeFamily))
        bootTime = ProcessStat.bootTime()
    }

    /// Registers the collector to run before every render.
    public func install(in store: MetricsStore) {
        let collector = self
        store.addCollector { collector.collect() }
    }

    public func collect() {
        if let stat = ProcessStat.read(bootTime: bootTime) {
            cpu.setTotal(stat.cpuSeconds)
            resident.set(stat.residentBytes)
            virtual.set(stat.virtualBytes)
            if let start = stat.startTimeSeconds { startTime.set(start) }
        }
        if let count = Self.openDescriptors() { openFDs.set(Double(count)) }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFDs.set(Double(limit.rlim_cur)) }
    }
}

extension ProcessCollector {
    /// The entries of /proc/self/fd, counted without making a string of each (the listing's own
    /// descriptor among them, as a listing through FileManager counts it).
    static func openDescriptors() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if !isDot { count += 1 }
        }
        return count
    }
}

/// The fields of /proc/self/stat the collector needs (proc(5)).
struct ProcessStat {
    var cpuSeconds: Double
    var virtualBytes: Double
    var residentBytes: Double
    var startTimeSeconds: Double?

    /// Read with one `read` into a buffer on the stack: a scrape reads it every time, and a
    /// whole-file read through Foundation costs more than the rest of a small scrape.
    static func read(bootTime: Double?) -> ProcessStat? {
        let descriptor = open("/proc/self/stat", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2048) { buffer -> ProcessStat? in
            let count = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            guard count > 0 else { return nil }
            return parse(
                UnsafeBufferPointer(rebasing: buffer[..<count]), bootTime: bootTime,
                ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))), pageSize: Double(sysconf(Int32(_SC_PAGESIZE))))
        }
    }

    static func parse(_ text: String, bootTime: Double?, ticksPerSecond: Double, pageSize: Double) -> ProcessStat? {
        Array(text.utf8).withUnsafeBufferPointer {
            parse($0, bootTime: bootTime, ticksPerSecond: ticksPerSecond, pageSize: pageSize)
        }
    }

    /// The fields after the command name, which is in parentheses and may itself hold spaces
    /// (hence the last ")"), read in place: field n of proc(5) is the (n - 2)th after it.
    static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, bootTime: Double?, ticksPerSecond: Double, pageSize: Double
    ) -> ProcessStat? {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")), ticksPerSecond > 0 else { return nil }
        var (user, system, start, size, pages): (Double?, Double?, Double?, Double?, Double?)
        var number = 3
        var index = close + 1
        while index < bytes.count, number <= 24 {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
            let first = index
            while index < bytes.count, bytes[index] != UInt8(ascii: " "), bytes[index] != UInt8(ascii: "\n") {
                index += 1
            }
            switch number {
            case 14: user = decimal(bytes, first..<index)
            case 15: system = decimal(bytes, first..<index)
            case 22: start = decimal(bytes, first..<index)
            case 23: size = decimal(bytes, first..<index)
            case 24: pages = decimal(bytes, first..<index)
            default: break
            }
            number += 1
        }
        guard let user, let system, let start, let size, let pages else { return nil }
        return ProcessStat(
            cpuSeconds: (user + system) / ticksPerSecond, virtualBytes: size, residentBytes: pages * pageSize,
            startTimeSeconds: bootTime.map { $0 + start / ticksPerSecond })
    }

    /// A field of digits as a number; nil for anything else (or nothing).
    private static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        guard !range.isEmpty else { return nil }
        var value: UInt64 = 0
        for index in range {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value &* 10 &+ UInt64(digit)
        }
        return Double(value)
    }

    static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
