import ErlangDistribution
import Testing

/// Node names as `erl` reads them, and this node's default name.
@Suite struct NodeNameTests {
    @Test func parsesAndClassifiesNames() throws {
        let short = try NodeName(parsing: "ex_esdb@db-1")
        #expect(short.alive == "ex_esdb" && short.host == "db-1" && !short.isLongName)
        #expect(try NodeName(parsing: "ex_esdb@db-1.cluster.local").isLongName)
        #expect(try NodeName(parsing: "ex_esdb@10.0.0.7").isLongName)
        #expect(throws: NodeName.ParseError.missingAt("nohost")) { try NodeName(parsing: "nohost") }
        #expect(throws: NodeName.ParseError.emptyPart("@host")) { try NodeName(parsing: "@host") }
        #expect(throws: NodeName.ParseError.emptyPart("name@")) { try NodeName(parsing: "name@") }
    }

    @Test func defaultNameFollowsThePeersNameKind() throws {
        let shortPeers = [NodeName(alive: "a", host: "db-1")]
        let longPeers = [NodeName(alive: "a", host: "db-1.example.internal")]
        #expect(
            try NodeName.defaultLocal(peers: shortPeers, hostname: "box.example.internal", suffix: "1f")
                == NodeName(alive: "exesdb_exporter_1f", host: "box"))
        #expect(
            try NodeName.defaultLocal(peers: longPeers, hostname: "box.example.internal", suffix: "1f")
                == NodeName(alive: "exesdb_exporter_1f", host: "box.example.internal"))
        #expect(throws: NodeName.LocalNameError.noQualifiedHost("box")) {
            try NodeName.defaultLocal(peers: longPeers, hostname: "box", suffix: "1f")
        }
        #expect(throws: NodeName.LocalNameError.self) {
            try NodeName.defaultLocal(peers: shortPeers + longPeers, hostname: "box", suffix: "1f")
        }
    }

    @Test func backoffGrowsCapsAndJitters() {
        var random = SystemRandomNumberGenerator()
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2), multiplier: 2, jitter: 0.2)
        let first = backoff.delay(attempt: 0, using: &random).nanoseconds
        #expect((80_000_000...120_000_000).contains(first))
        let third = backoff.delay(attempt: 2, using: &random).nanoseconds
        #expect((320_000_000...480_000_000).contains(third))
        // At the cap the jitter only shortens the wait: never past the documented maximum (it
        // reached 1.2x of it before), and still spread so that peers do not retry in step.
        var atCap: Set<Int64> = []
        for attempt in 5..<70 {
            let delay = backoff.delay(attempt: attempt, using: &random).nanoseconds
            #expect((1_600_000_000...2_000_000_000).contains(delay))
            atCap.insert(delay)
        }
        #expect(atCap.count > 10)
    }
}
