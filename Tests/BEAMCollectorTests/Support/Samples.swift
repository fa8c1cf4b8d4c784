import Foundation
import MetricsStore

/// One sample line of a rendered store (Prometheus text), read back.
struct Sample: Sendable {
    let name: String
    let labels: [String: String]
    let value: Double
}

/// The samples of a store as a scrape would see them now.
struct Samples: Sendable {
    let all: [Sample]
    let text: String

    init(_ store: MetricsStore, format: ExpositionFormat = .prometheusText) {
        text = String(decoding: store.render(format), as: UTF8.self)
        all = text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "),
                let value = Double(line[line.index(after: space)...])
            else { return nil }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else {
                return Sample(name: String(series), labels: [:], value: value)
            }
            var labels: [String: String] = [:]
            for match in series[brace...].matches(of: /([a-z_]+)="([^"]*)"/) {
                labels[String(match.output.1)] = String(match.output.2)
            }
            return Sample(name: String(series[..<brace]), labels: labels, value: value)
        }
    }

    func of(_ name: String, node: String, _ labels: [String: String] = [:]) -> [Sample] {
        all.filter { sample in
            sample.name == name && sample.labels["node"] == node
                && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }

    /// The value of the one series of `name` for `node` with `labels`; nil when there is not exactly one.
    func value(_ name: String, node: String, _ labels: [String: String] = [:]) -> Double? {
        let found = of(name, node: node, labels)
        return found.count == 1 ? found[0].value : nil
    }

    /// Every series of `node`, in any family.
    func ofNode(_ node: String) -> [Sample] { all.filter { $0.labels["node"] == node } }
}
