import Foundation

/// A private EPMD on its own loopback port and the `erl` nodes registered with it, so tests never
/// touch a system-wide EPMD and clean up after themselves.
public final class ErlangCluster: Sendable {
    public let epmdPort: Int
    public let cookie: String
    public let fixtures: ErlangFixtures
    private let epmd: BackgroundProcess

    public init(fixtures: ErlangFixtures, cookie: String = "exesdb-test-cookie") async throws {
        self.fixtures = fixtures
        self.cookie = cookie
        let port = ErlangTools.freePort()
        epmdPort = port
        epmd = try BackgroundProcess("epmd", ["-port", "\(port)", "-address", "127.0.0.1"])
        // epmd prints nothing when it is ready: wait until it answers (each try runs off the pool).
        let answered = try await poll(timeout: .seconds(20), every: .milliseconds(50)) {
            (try? await ErlangTools.run("epmd", ["-port", "\(port)", "-names"]))?.status == 0 ? true : nil
        }
        if answered == nil {
            throw ErlangTools.Failure(description: "epmd did not start on port \(port) within 20 s")
        }
    }

    /// The environment every tool of this cluster runs with.
    public var environment: [String: String] { ["ERL_EPMD_PORT": "\(epmdPort)"] }

    /// Starts `erl -sname alive@localhost` running `expression` (which should print a line
    /// containing `ready` when it is), and waits for that line.
    public func startNode(
        _ alive: String, expression: String, cookie: String? = nil, extraArguments: [String] = []
    ) async throws -> BackgroundProcess {
        let arguments =
            [
                "-sname", "\(alive)@localhost", "-setcookie", cookie ?? self.cookie, "-noshell", "-pa",
                fixtures.beamDirectory,
            ]
            + extraArguments + ["-eval", expression]
        // Its 20 s to say `ready` start once it has a slot (`StartupSlots`).
        return try await StartupSlots.beams.withSlot {
            let node = try BackgroundProcess("erl", arguments, environment: environment)
            try await node.waitForLine(containing: "ready")
            return node
        }
    }

    deinit {
        epmd.stopNow()
    }
}
