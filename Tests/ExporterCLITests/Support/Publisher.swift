import BEAMPeers
import Foundation

/// An ExESDB stand-in: an `erl` node running the PubSub publisher fixture (real OTP pg scope,
/// Phoenix.PubSub group names, ExESDBGater envelopes signed with the secret), with its own EPMD,
/// and the cookie and secret files the exporter reads (mode 0400, as an operator keeps them).
final class Publisher: Sendable {
    static let name = "pub@localhost"
    /// The nine ExESDBGater buses; the exporter follows them all (`--pubsub.all-buses`).
    static let buses = [
        "ex_esdb_system", "ex_esdb_health", "ex_esdb_metrics", "ex_esdb_lifecycle", "ex_esdb_alerts", "ex_esdb_audit",
        "ex_esdb_diagnostics", "ex_esdb_security", "ex_esdb_logging",
    ]
    static let fixtures = Task<ErlangFixtures, any Error> {
        try await ErlangFixtures(shared: [.pubsubPublisher])
    }

    let cluster: ErlangCluster
    let node: BackgroundProcess
    let directory: String
    var cookieFile: String { "\(directory)/cookie" }
    var secretFile: String { "\(directory)/secret_key_base" }
    let cookie = "e2e-cookie-\(UInt32.random(in: 0...UInt32.max))"
    let secret = "e2e-secret-\(UInt32.random(in: 0...UInt32.max))"

    /// Publishes every gater_fixture payload on its own bus every 500 ms.
    static func everyPayload() async throws -> Publisher {
        try await Publisher { secret in
            "pubsub_publisher:start_publishing_all(1, <<\"\(secret)\">>, [\(buses.joined(separator: ", "))])"
        }
    }

    /// Publishes the shapes ExESDB 0.11 really sends (gater_fixture:real_shapes/0) every 500 ms.
    static func realShapes() async throws -> Publisher {
        try await Publisher { secret in "pubsub_publisher:start_publishing_real(1, <<\"\(secret)\">>)" }
    }

    /// Publishes `rounds` rounds of `mode` (variants, mutants or flood: pubsub_publisher's
    /// start_publishing_rounds/4) once the exporter is in every bus's group, then prints
    /// `published N`.
    static func rounds(_ rounds: Int, of mode: String) async throws -> Publisher {
        try await Publisher { secret in
            "pubsub_publisher:start_publishing_rounds(1, <<\"\(secret)\">>, \(rounds), \(mode))"
        }
    }

    /// Publishes `operations` ThroughputMetrics with distinct operations every 500 ms.
    static func manyOperations(_ operations: Int) async throws -> Publisher {
        try await Publisher { secret in "pubsub_publisher:start_publishing_many(1, <<\"\(secret)\">>, \(operations))" }
    }

    private init(expression: (String) -> String) async throws {
        directory = try temporaryDirectory("e2e-publisher")
        cluster = try await ErlangCluster(fixtures: try await Self.fixtures.value, cookie: cookie)
        node = try await cluster.startNode("pub", expression: expression(secret))
        try writeSecretFile(cookie, to: cookieFile)
        try writeSecretFile(secret + "\n", to: secretFile)
    }

    /// The flags that join this node with its files, and the environment with its EPMD.
    func exporterArguments(name: String = "e2e_exporter@localhost") -> [String] {
        [
            "--erlang.nodes=\(Self.name)", "--erlang.name=\(name)", "--erlang.cookie-file=\(cookieFile)",
            "--security.secret-key-base-file=\(secretFile)", "--pubsub.all-buses",
        ]
    }

    var environment: [String: String] { cluster.environment }

    /// Kills the node (without waiting: a `defer` cannot) and removes the files once it has ended.
    func stop() {
        node.stopNow { [directory] in try? FileManager.default.removeItem(atPath: directory) }
    }
}

/// A file readable by its owner only.
func writeSecretFile(_ text: String, to path: String) throws {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    guard chmod(path, 0o400) == 0 else { throw ErlangTools.Failure(description: "chmod 400 \(path) failed") }
}

/// A fresh directory under the temporary directory.
func temporaryDirectory(_ prefix: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
