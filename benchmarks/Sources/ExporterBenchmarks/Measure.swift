import Foundation

/// Nanoseconds per call of `body`, the best of several runs (the least disturbed one).
///
/// Wall-clock time, like the BEAM's `timer:tc`; with `BENCH_CLOCK=cpu` in the environment, this
/// thread's CPU time instead, which other processes on a busy machine disturb far less (for
/// comparing Swift figures with each other, not with the BEAM's).
func nanosecondsPerCall(iterations: Int, runs: Int = 5, _ body: () -> Int) -> (ns: Double, checksum: Int) {
    var best = Double.infinity
    var checksum = 0
    for _ in 0..<max(1, iterations / 10) { checksum &+= body() }
    for _ in 0..<runs {
        let start = now()
        for _ in 0..<iterations { checksum &+= body() }
        let elapsed = Double(now() - start)
        best = min(best, elapsed / Double(iterations))
    }
    return (best, checksum)
}

private let useThreadCPUTime = ProcessInfo.processInfo.environment["BENCH_CLOCK"] == "cpu"

private func now() -> UInt64 {
    guard useThreadCPUTime else { return DispatchTime.now().uptimeNanoseconds }
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
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
