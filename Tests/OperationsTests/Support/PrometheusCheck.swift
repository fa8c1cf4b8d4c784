import BEAMPeers
import Foundation

/// Something a dashboard or a rule asks Prometheus that must come back with data.
enum PrometheusCheck: CustomStringConvertible {
    case query(String)
    /// A template variable's `label_values(match, label)`, as Grafana asks the label values API.
    case labelValues(variable: String, label: String, match: String)

    var description: String {
        switch self {
        case .query(let expression): expression
        case .labelValues(let variable, let label, let match): "$\(variable): label_values(\(match), \(label))"
        }
    }

    func hasData(in stack: PrometheusStack) async throws -> Bool {
        switch self {
        case .query(let expression): !(try await stack.query(expression).isEmpty)
        case .labelValues(_, let label, let match): !(try await stack.labelValues(label, match: match).isEmpty)
        }
    }

    /// The expression without a trailing `or vector(0)`, or nil when it has none.
    static func withoutFallback(_ expression: String) -> String? {
        guard let fallback = expression.firstMatch(of: /\s+or\s+vector\(0\)\s*$/) else { return nil }
        return String(expression[..<fallback.range.lowerBound])
    }

    /// The `label_values` query variables of a dashboard, with `$job` as the test's job.
    static func variables(of dashboard: [String: Any], file: String) throws -> [PrometheusCheck] {
        let templating = dashboard["templating"] as? [String: Any] ?? [:]
        return try (templating["list"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "query" }.map {
            variable in
            let name = variable["name"] as? String ?? "?"
            let definition = substitutingVariables(
                variable["definition"] as? String ?? "", values: ["job": "exesdb_exporter"])
            guard let call = definition.wholeMatch(of: /label_values\((.+),\s*([A-Za-z_][A-Za-z0-9_]*)\)/) else {
                throw ErlangTools.Failure(
                    description: "\(file): variable \(name) is not label_values(...): \(definition)")
            }
            return .labelValues(variable: name, label: String(call.output.2), match: String(call.output.1))
        }
    }
}
