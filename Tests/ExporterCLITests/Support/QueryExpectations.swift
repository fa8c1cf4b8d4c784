import BEAMPeers
import Foundation
import Testing

/// Checks on a real Prometheus's instant queries, retried over a few scrapes (one scrape can land
/// between two updates of one message), recording which metric families they covered.
final class QueryExpectations {
    typealias Check = ([PrometheusServer.Sample]) -> Bool

    let prometheus: PrometheusServer
    private(set) var covered: Set<String> = []

    init(_ prometheus: PrometheusServer) { self.prometheus = prometheus }

    /// `query` (about `family`) until `check` accepts its result; an issue with the last result if it never does.
    func expect(
        _ family: String, _ query: String, sourceLocation: SourceLocation = #_sourceLocation, _ check: Check
    ) async {
        covered.insert(family)
        do {
            try await prometheus.waitForQuery(query, timeout: .seconds(15), until: check)
        } catch {
            Issue.record("\(family): \(error)", sourceLocation: sourceLocation)
        }
    }

    /// The family's series selected by `selector` (its labels, braces included) has `value`.
    func expect(
        _ family: String, _ selector: String, equals value: Double, sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        await expect(family, family + selector, sourceLocation: sourceLocation, Self.single(value))
    }

    /// A counter that grows by `step` per message: a positive whole multiple of it.
    func expect(
        _ family: String, _ selector: String, multipleOf step: Double,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        await expect(family, family + selector, sourceLocation: sourceLocation) { samples in
            guard samples.count == 1, samples[0].value > 0 else { return false }
            let messages = samples[0].value / step
            return abs(messages - messages.rounded()) < 1e-6
        }
    }

    /// The family's series selected by `selector` have, by the values of `label`, exactly `values`.
    func expect(
        _ family: String, _ selector: String, by label: String, _ values: [String: Double],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        await expect(family, family + selector, sourceLocation: sourceLocation) { samples in
            Dictionary(samples.map { ($0.labels[label] ?? "", $0.value) }, uniquingKeysWith: { $1 }) == values
                && samples.count == values.count
        }
    }

    /// Exactly one sample, equal to `value` (to a relative 1e-9: values go through text and float parsing).
    static func single(_ value: Double) -> Check {
        { samples in samples.count == 1 && abs(samples[0].value - value) <= abs(value) * 1e-9 }
    }

    static func atLeast(_ value: Double) -> Check {
        { samples in !samples.isEmpty && samples.allSatisfy { $0.value >= value } }
    }
}
