import Testing

@testable import exesdb_exporter

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
