import Foundation

/// RFC 3339 timestamps in UTC with milliseconds, as Alertmanager writes them.
enum RFC3339 {
    /// Go's zero time: what Alertmanager puts in endsAt while an alert fires.
    static let zero = "0001-01-01T00:00:00Z"

    static func format(_ seconds: Double) -> String {
        // To the nearest millisecond: 951782400.999 is 951782400998.99994 ms in binary.
        let total = Int64((seconds * 1000).rounded())
        var time = time_t(total.quotientAndRemainder(dividingBy: 1000).quotient)
        let milliseconds = Int(total - Int64(time) * 1000)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), milliseconds)
    }
}
