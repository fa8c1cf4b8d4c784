import MetricDeclarations
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard error as the log's destination, where a write that fails is dropped and counted,
/// never fatal: the reader of a pipe may be gone (`exesdb_exporter ... | head`), the disk full, the
/// descriptor non-blocking and its buffer full. An exporter must not stop because its log cannot
/// be written.
public enum StandardError {
    private static let dropped = Atomic<Int>(0)

    /// Log lines that could not be written (`droppedLinesFamily`).
    public static var droppedLines: Int { dropped.load(ordering: .relaxed) }

    /// The family the application serves `droppedLines` in, in the catalogue (docs/metrics.md).
    public static let droppedLinesFamily = FamilyDescriptor.counter(
        "exesdb_exporter_log_lines_dropped_total",
        help: "Log lines that could not be written (standard error closed, full or not writable).", expires: false)

    /// Writes `line` and a line feed whole, or counts it as dropped.
    public static func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        let written = bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(2, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if count > 0 {
                    offset += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
        if !written { dropped.wrappingAdd(1, ordering: .relaxed) }
    }

    /// A write to a pipe whose reader is gone raises SIGPIPE, which ends the process by default:
    /// ignored, the write fails with EPIPE instead and the line is counted as dropped.
    public static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }
}
