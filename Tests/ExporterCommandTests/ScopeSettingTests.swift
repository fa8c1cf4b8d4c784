import Testing

@testable import ExporterApp

/// The pg scope the buses use: Phoenix.PubSub's own by default, else `pubsub.scope` from the
/// file, else `--pubsub.scope`.
@Suite struct ScopeSettingTests {
    let settings = SettingsResolutionTests()

    @Test func phoenixPubSubsOwnScopeByDefault() throws {
        #expect(
            try settings.resolve(["--erlang.nodes=a@host-1"], file: nil).cluster.pubsub.scope == "Elixir.Phoenix.PubSub"
        )
    }

    @Test func theFileNamesAnotherScopeAndAFlagWins() throws {
        let file = "erlang: {nodes: [a@host-1]}\npubsub: {scope: Elixir.MyApp.PubSub}\n"
        #expect(try settings.resolve([], file: file).cluster.pubsub.scope == "Elixir.MyApp.PubSub")
        #expect(
            try settings.resolve(["--pubsub.scope=other_scope"], file: file).cluster.pubsub.scope == "other_scope")
    }

    @Test func anEmptyOrOverlongScopeIsRefusedWithTheKey() throws {
        for bad in ["''", String(repeating: "s", count: 256)] {
            #expect {
                _ = try settings.resolve(["--erlang.nodes=a@host-1"], file: "pubsub: {scope: \(bad)}\n")
            } throws: { error in
                "\(error)".hasPrefix("pubsub.scope (--pubsub.scope)=")
            }
        }
    }
}

/// How often the cluster's node lists are asked for again: 30 s, else the file's, else the flag's.
@Suite struct RefreshIntervalSettingTests {
    let settings = SettingsResolutionTests()

    @Test func thirtySecondsByDefaultThenTheFileThenTheFlag() throws {
        let nodes = "--erlang.nodes=a@host-1"
        #expect(try settings.resolve([nodes], file: nil).cluster.refreshInterval == .seconds(30))
        let file = "cluster: {refresh_interval: 2m}\n"
        #expect(try settings.resolve([nodes], file: file).cluster.refreshInterval == .seconds(120))
        #expect(
            try settings.resolve([nodes, "--cluster.refresh-interval=5s"], file: file).cluster.refreshInterval
                == .seconds(5))
    }

    @Test func lessThanASecondOrNoDurationIsRefusedWithTheKey() throws {
        for bad in ["500ms", "often"] {
            #expect {
                _ = try settings.resolve(["--erlang.nodes=a@host-1", "--cluster.refresh-interval=\(bad)"], file: nil)
            } throws: { error in
                "\(error)".contains("--cluster.refresh-interval") && "\(error)".contains("expected")
            }
        }
    }
}
