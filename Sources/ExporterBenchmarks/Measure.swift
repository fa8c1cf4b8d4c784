import Foundation

/// Nanoseconds per call of `body`, the best of several runs (the least disturbed one).
func nanosecondsPerCall(iterations: Int, runs: Int = 5, _ body: () -> Int) -> (ns: Double, checksum: Int) {
    var best = Double.infinity
    var checksum = 0
    for _ in 0..<max(1, iterations / 10) { checksum &+= body() }
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { checksum &+= body() }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start)
        best = min(best, elapsed / Double(iterations))
    }
    return (best, checksum)
}

/// One printed result line: name, figure, and how it compares with the peer or target.
struct ResultRow {
    let name: String
    let nanoseconds: Double
    let comparison: String
}

func printTable(_ title: String, _ rows: [ResultRow]) {
    print("\n\(title)")
    let width = rows.map(\.name.count).max() ?? 0
    for row in rows {
        let name = row.name.padding(toLength: width, withPad: " ", startingAt: 0)
        let figure = String(format: "%9.1f ns/msg", row.nanoseconds)
        print("  \(name)  \(figure)  \(row.comparison)")
    }
}
