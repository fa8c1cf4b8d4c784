import Foundation

/// One fuzz target: an input from libFuzzer goes through a part of the product, and every
/// invariant that is cheap to check is checked (`require`), beyond "does not crash".
protocol FuzzTarget: AnyObject {
    /// Called for every input, on libFuzzer's one thread.
    func run(_ input: [UInt8])
}

/// The targets, by the names scripts/fuzz.sh gives them.
enum FuzzTargets {
    static let all: [(name: String, make: @Sendable () throws -> any FuzzTarget)] = [
        ("term", { TermTarget() }),
        ("scanner", { try ScannerTarget() }),
        ("frame", { try FrameTarget() }),
        ("handshake", { HandshakeTarget() }),
        ("config", { ConfigTarget() }),
        ("webconfig", { WebConfigTarget() }),
        ("spool", { SpoolTarget() }),
    ]

    static var names: [String] { all.map(\.name) }

    static func make(_ name: String) -> (any FuzzTarget)? {
        guard let entry = all.first(where: { $0.name == name }) else { return nil }
        do {
            return try entry.make()
        } catch {
            printError("fuzz target \(name) could not start: \(error)")
            exit(1)
        }
    }
}

enum Harness {
    /// The selected target. libFuzzer calls back on one thread only, one input at a time, so
    /// nothing else ever reads or writes it.
    nonisolated(unsafe) static var current: (any FuzzTarget)?

    static func run(_ input: UnsafeBufferPointer<UInt8>) {
        current?.run(Array(input))
    }
}

/// An invariant of the product: when it does not hold, say which and abort, which libFuzzer
/// reports as a crash and keeps the input of (`crash-<sha1>`).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    guard !condition else { return }
    printError("fuzz invariant broken: \(message())")
    abort()
}

/// A line on standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
