/// Durations written as Prometheus writes them (prometheus/common `model.ParseDuration`): number
/// and unit pairs from the largest unit down, each unit at most once (`500ms`, `5s`, `1h30m`,
/// `2d`), or `0`. The one grammar of every duration in the config file and the flags: `1m5m` and
/// `30m1h` are refused everywhere alike.
public enum PrometheusDuration {
    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
        ("s", 1000), ("ms", 1),
    ]

    /// What a duration looks like, for error messages.
    public static let expected = "a duration such as 500ms, 5s, 5m or 1h (units ms, s, m, h, d, w, y)"

    /// The duration `text` stands for, or nil when it is not one.
    public static func parse(_ text: String) -> Duration? {
        if text == "0" { return .zero }
        guard !text.isEmpty else { return nil }
        var rest = Substring(text)
        var total: Int64 = 0
        var nextUnit = 0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let letters = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(letters.count)
            guard let index = units[nextUnit...].firstIndex(where: { $0.suffix == letters }) else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: units[index].milliseconds)
            guard !overflow, total <= Int64.max - product else { return nil }
            total += product
            nextUnit = index + 1
        }
        return .milliseconds(total)
    }

    /// `duration` written the way `parse` reads it, in the largest units that fit ("1h30m").
    ///
    /// Any duration prints, also one that no text gives: whole seconds from `net_ticktime` or a
    /// flag may be negative or beyond 2^63 milliseconds, and the message refusing them shows them
    /// (with a leading "-" for a negative one, which `parse` refuses).
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var remaining = seconds.magnitude
        let milliseconds = attoseconds.magnitude / 1_000_000_000_000_000
        if remaining == 0 && milliseconds == 0 { return "0s" }
        var text = seconds < 0 || attoseconds < 0 ? "-" : ""
        for unit in units where unit.milliseconds >= 1000 {
            let unitSeconds = UInt64(unit.milliseconds / 1000)
            guard remaining >= unitSeconds else { continue }
            text += "\(remaining / unitSeconds)\(unit.suffix)"
            remaining %= unitSeconds
        }
        if milliseconds > 0 { text += "\(milliseconds)ms" }
        return text
    }
}
