import BEAMPeers
import Foundation
import Synchronization
import Testing

@testable import MetricsStore

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let now: Mutex<Double>

    init(_ start: Double = 1_700_000_000.5) { now = Mutex(start) }

    func advance(by seconds: Double) { now.withLock { $0 += seconds } }

    var read: @Sendable () -> Double { { [self] in now.withLock { $0 } } }
}

func text(_ store: MetricsStore, _ format: ExpositionFormat) -> String {
    String(decoding: store.render(format), as: UTF8.self)
}

/// Lines, so a failed comparison shows which ones differ.
func lines(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
}

/// The sample lines of one family (no comments), for focused assertions.
func samples(_ exposition: String, prefix: String) -> [String] {
    exposition.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
}

/// Runs a command to completion (off the cooperative pool) with `input` on stdin; returns its
/// status and combined output.
func run(_ arguments: [String], input: String) async throws -> (status: Int32, output: String) {
    try await ErlangTools.run(arguments[0], Array(arguments.dropFirst()), input: input)
}

/// Compares line by line and reports the first differing line of each side.
func expectSameLines(_ actual: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let (a, b) = (lines(actual), lines(expected))
    guard a != b else { return }
    let index = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
    let got = index < a.count ? a[index] : "<end>"
    let wanted = index < b.count ? b[index] : "<end>"
    Issue.record("line \(index + 1) differs:\n   got: \(got)\nwanted: \(wanted)", sourceLocation: sourceLocation)
}
