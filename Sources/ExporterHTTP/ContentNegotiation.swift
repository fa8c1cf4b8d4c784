import Foundation
import MetricsStore

/// Chooses the exposition format from `Accept` and the encoding from `Accept-Encoding`, the way
/// Prometheus's client libraries do: entries by falling q-value, the first one we can serve wins,
/// the 0.0.4 text format when none is.
enum ContentNegotiation {
    /// One entry of an `Accept` or `Accept-Encoding` header.
    struct Entry: Equatable {
        var name: String
        var parameters: [String: String]
        var quality: Double
    }

    static func format(accept: String?) -> ExpositionFormat {
        for entry in entries(accept ?? "") where entry.quality > 0 {
            let version = entry.parameters["version"]
            switch entry.name {
            case "application/openmetrics-text" where version == nil || version == "1.0.0": return .openMetrics
            case "text/plain" where version == nil || version == "0.0.4": return .prometheusText
            default: continue
            }
        }
        return .prometheusText
    }

    /// Whether gzip is acceptable: named with a q-value above 0, or covered by `*`.
    static func acceptsGzip(_ acceptEncoding: String?) -> Bool {
        let codings = entries(acceptEncoding ?? "")
        if let gzip = codings.first(where: { $0.name == "gzip" || $0.name == "x-gzip" }) {
            return gzip.quality > 0
        }
        return codings.contains { $0.name == "*" && $0.quality > 0 }
    }

    /// The entries of a comma-separated header, highest q-value first (stable for equal ones);
    /// an entry whose q-value cannot be read is dropped.
    static func entries(_ header: String) -> [Entry] {
        let parsed = header.split(separator: ",").compactMap { item -> Entry? in
            let parts = item.split(separator: ";").map { $0.trimmingWhitespace() }
            guard let name = parts.first, !name.isEmpty else { return nil }
            var parameters: [String: String] = [:]
            for part in parts.dropFirst() {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
                guard pair.count == 2 else { continue }
                parameters[pair[0].lowercased()] = pair[1].trimmingQuotes()
            }
            let quality = parameters.removeValue(forKey: "q").map { Double($0) } ?? 1
            guard let quality, (0...1).contains(quality) else { return nil }
            return Entry(name: name.lowercased(), parameters: parameters, quality: quality)
        }
        return parsed.enumerated().sorted { ($0.element.quality, -$0.offset) > ($1.element.quality, -$1.offset) }
            .map(\.element)
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        trimmingCharacters(in: .whitespaces)
    }

    func trimmingQuotes() -> String {
        count >= 2 && hasPrefix("\"") && hasSuffix("\"") ? String(dropFirst().dropLast()) : String(self)
    }
}
