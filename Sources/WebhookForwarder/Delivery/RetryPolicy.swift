import Foundation

/// What an attempt's result means for its delivery.
enum AttemptVerdict: Equatable {
    case delivered
    /// Worth another attempt, not before `notBefore` (from Retry-After) when given.
    case retry(reason: String, notBefore: Duration?)
    /// The endpoint refused it; another attempt would be refused too.
    case refused(reason: String)
    /// The transport stopped (shutdown): the delivery stays pending in the spool.
    case interrupted

    /// 2xx delivered; connection errors, timeouts, 408, 429 and 5xx retried; other statuses refused.
    init(_ outcome: TransportOutcome, now: Date = Date()) {
        switch outcome {
        case .cancelled: self = .interrupted
        case .failure(let code, let message): self = .retry(reason: "\(message) (curl error \(code))", notBefore: nil)
        case .response(let status, let retryAfter, let body):
            switch status {
            case 200..<300: self = .delivered
            case 408, 429, 500..<600:
                self = .retry(
                    reason: "HTTP \(status)\(Self.excerpt(body))",
                    notBefore: retryAfter.flatMap { Self.delay($0, now: now) })
            default: self = .refused(reason: "HTTP \(status)\(Self.excerpt(body))")
            }
        }
    }

    /// Retry-After as seconds or as an HTTP date; nil when it is neither.
    static func delay(_ value: String, now: Date) -> Duration? {
        if let seconds = Int(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        // Clamped before the conversion: a date far enough ahead would not fit an Int64 of
        // milliseconds (backoff waits an hour at most anyway).
        return .milliseconds(Int64(min(max(0, date.timeIntervalSince(now) * 1000), 1e15)))
    }

    /// `: "first bytes of the body"`, one line, printable characters only.
    static func excerpt(_ body: String) -> String {
        let line = String(
            body.unicodeScalars.prefix(200).map { $0.value < 0x20 || $0.value == 0x7f ? " " : Character($0) }
        )
        .trimmingCharacters(in: .whitespaces)
        return line.isEmpty ? "" : ": \"\(line)\""
    }
}

/// Exponential backoff with jitter for an endpoint that fails: min_backoff doubling up to
/// max_backoff, each wait drawn between half and all of that, and at least what Retry-After asked
/// for (up to an hour).
struct RetryBackoff: Sendable {
    let minimum: Duration
    let maximum: Duration

    static let longestRetryAfter = Duration.seconds(3600)

    func delay(failures: Int, notBefore: Duration?) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        let full = min(maximum, minimum * (1 << exponent))
        let jittered = full * Double.random(in: 0.5...1.0)
        guard let notBefore else { return jittered }
        return max(jittered, min(notBefore, Self.longestRetryAfter))
    }
}
