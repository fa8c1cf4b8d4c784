import Foundation

/// The Erlang modules that more than one place compiles (several test targets, the demo,
/// `scripts/fuzz.sh`). They live in one folder, `erlang/` at the repository's root, and a test
/// target names them here: none reaches into another target's folder.
public enum SharedErlang: String, CaseIterable, Sendable {
    /// ExESDBGater's 36 structs, DateTime, the signed envelope, each tag's bus and Phoenix.PubSub's
    /// PG2 broadcast: the one builder of what the demo (`demo/`) and the fixtures send.
    case gaterWire = "gater_wire"
    /// One fixed payload of every struct, the shapes ExESDB 0.11 really sends and hostile ones,
    /// and `write/2`, which writes them signed as the distribution carries them.
    case gaterFixture = "gater_fixture"
    /// An ExESDB node's PubSub side (a real pg scope), publishing gater_fixture's payloads.
    case pubsubPublisher = "pubsub_publisher"
    /// A node's own view of what the BEAM collector reads, and the rex calls it receives.
    case vmWitness = "vm_witness"

    /// `erlang/`, found from this file: the tests and the benchmarks run from this checkout.
    public static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("erlang")

    public var path: String { Self.folder.appendingPathComponent("\(rawValue).erl").path }

    /// The shared modules this one calls: erlc does not follow calls, a missing module is an
    /// `undef` at run time.
    var calls: [SharedErlang] {
        switch self {
        case .gaterWire, .vmWitness: []
        case .gaterFixture: [.gaterWire]
        case .pubsubPublisher: [.gaterFixture, .gaterWire]
        }
    }

    /// `modules` and every shared module they call, each once.
    static func withCalls(_ modules: [SharedErlang]) -> [SharedErlang] {
        var all: [SharedErlang] = []
        var pending = modules
        while let module = pending.popLast() {
            guard !all.contains(module) else { continue }
            all.append(module)
            pending += module.calls
        }
        return all.sorted { $0.rawValue < $1.rawValue }
    }
}

extension ErlangFixtures {
    /// Compiles `shared` (with the shared modules they call) and every `.erl` file of
    /// `sourceDirectories` (a target's own fixtures, the demo) together.
    public init(shared: [SharedErlang], sourceDirectories: [String] = []) async throws {
        let own = try sourceDirectories.flatMap { try Self.sources(in: $0) }
        try await self.init(sources: SharedErlang.withCalls(shared).map(\.path) + own)
    }
}
