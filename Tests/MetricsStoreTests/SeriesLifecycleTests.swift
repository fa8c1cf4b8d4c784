import BEAMPeers
import Testing

@testable import MetricsStore

/// TTL expiry, the series limit and concurrent updates while scraping.
@Suite struct SeriesLifecycleTests {
    @Test func seriesNotUpdatedForTheTTLExpireButExporterFamiliesDoNot() throws {
        let clock = ManualClock()
        let store = MetricsStore(configuration: StoreConfiguration(ttl: .seconds(60)), clock: clock.read)
        let gauge = try store.gauge("exesdb_thing", help: "T.", labels: ["node"])
        let own = try store.gauge("exesdb_exporter_thing", help: "T.", labels: ["peer"], expires: false)
        gauge.set(1, ["stale"])
        gauge.set(1, ["fresh"])
        own.set(1, ["p"])
        clock.advance(by: 45)
        _ = store.render(.prometheusText)
        gauge.set(2, ["fresh"])
        clock.advance(by: 30)
        let exposition = text(store, .prometheusText)
        #expect(samples(exposition, prefix: "exesdb_thing{") == [#"exesdb_thing{node="fresh"} 2"#])
        #expect(samples(exposition, prefix: "exesdb_exporter_thing{") == [#"exesdb_exporter_thing{peer="p"} 1"#])
        #expect(
            samples(exposition, prefix: "exesdb_exporter_series_expired_total") == [
                "exesdb_exporter_series_expired_total 1"
            ])
        // An expired series comes back fresh (a new _created) when it is updated again.
        clock.advance(by: 10)
        gauge.set(3, ["stale"])
        #expect(
            samples(text(store, .prometheusText), prefix: #"exesdb_thing{node="stale"}"#) == [
                #"exesdb_thing{node="stale"} 3"#
            ])
    }

    @Test func sweepRemovesExpiredSeriesWithoutAScrape() throws {
        let clock = ManualClock()
        let store = MetricsStore(configuration: StoreConfiguration(ttl: .seconds(10)), clock: clock.read)
        let counter = try store.counter("exesdb_events_total", help: "E.", labels: ["node"])
        for node in 0..<100 { counter.increment(["n\(node)"]) }
        let before = store.seriesCount
        clock.advance(by: 11)
        store.sweep()
        #expect(before - store.seriesCount == 100)
    }

    @Test func pastTheLimitNewSeriesAreDroppedAndCountedButOwnFamiliesStay() throws {
        let store = MetricsStore(configuration: StoreConfiguration(maxSeries: 10))
        let gauge = try store.gauge("exesdb_thing", help: "T.", labels: ["id"])
        let own = try store.gauge("exesdb_exporter_peer_thing", help: "T.", labels: ["peer"], expires: false)
        for id in 0..<25 { gauge.set(Double(id), ["\(id)"]) }
        for peer in 0..<5 { own.set(1, ["\(peer)"]) }
        // Existing series still update at the limit.
        gauge.set(100, ["0"])
        let exposition = text(store, .prometheusText)
        #expect(samples(exposition, prefix: "exesdb_thing{").count == 10)
        #expect(samples(exposition, prefix: #"exesdb_thing{id="0"}"#) == [#"exesdb_thing{id="0"} 100"#])
        #expect(samples(exposition, prefix: "exesdb_exporter_peer_thing{").count == 5)
        #expect(
            samples(exposition, prefix: "exesdb_exporter_series_dropped_total")
                == [#"exesdb_exporter_series_dropped_total{reason="cardinality_limit"} 15"#])
    }

    @Test func concurrentUpdatesWhileScrapingLoseNothing() async throws {
        let store = MetricsStore()
        let counter = try store.counter("exesdb_ops_total", help: "O.", labels: ["node", "operation"])
        let histogram = try store.histogram("exesdb_lat_seconds", help: "L.", unit: "seconds", labels: ["node"])
        let tasks = 4
        let perTask = 20_000
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for index in 0..<perTask {
                        counter.add(1, ["n\(task % 2)", "op\(index % 3)"])
                        histogram.observe(0.001, ["n\(task % 2)"])
                    }
                }
            }
            group.addTask {
                for _ in 0..<50 { _ = store.render(.openMetrics) }
            }
        }
        let exposition = text(store, .prometheusText)
        let total = samples(exposition, prefix: "exesdb_ops_total{").compactMap { Double($0.split(separator: " ")[1]) }
            .reduce(0, +)
        #expect(total == Double(tasks * perTask))
        let counts = samples(exposition, prefix: "exesdb_lat_seconds_count{").compactMap {
            Double($0.split(separator: " ")[1])
        }
        #expect(counts.reduce(0, +) == Double(tasks * perTask))
    }

    @Test func countersIgnoreNegativeAndNonFiniteAmounts() throws {
        let store = MetricsStore()
        let counter = try store.counter("exesdb_c_total", help: "C.")
        counter.add(2)
        counter.add(-1)
        counter.add(.nan)
        counter.add(.infinity)
        #expect(samples(text(store, .prometheusText), prefix: "exesdb_c_total ") == ["exesdb_c_total 2"])
    }

    @Test func stateSetsRefuseUnknownStates() throws {
        let store = MetricsStore()
        let states = try store.stateSet("exesdb_s", help: "S.", labels: ["node"], states: ["up", "down"])
        #expect(states.set("down", ["n"]))
        #expect(!states.set("sideways", ["n"]))
        #expect(
            samples(text(store, .prometheusText), prefix: "exesdb_s{")
                == [#"exesdb_s{node="n",exesdb_s="up"} 0"#, #"exesdb_s{node="n",exesdb_s="down"} 1"#])
    }
}

/// Finding a series compares the values with their escaped rendering in place.
@Suite struct LabelMatchingTests {
    @Test(arguments: [
        ["plain", "x"], [#"back\slash"#, "x"], [#"a\"#, "b"], [#"\\"#, #"""#], ["quote\"d", "new\nline"], ["", ""],
        [#"\"#, #"\"#], [String(repeating: "é", count: 40), "x"],
    ])
    func everyValueFindsItsOwnSeriesAgain(values: [String]) throws {
        let store = MetricsStore()
        let gauge = try store.gauge("t_g", help: "G.", labels: ["a", "b"])
        gauge.set(1, values)
        gauge.set(2, values)
        gauge.set(3, [values[0] + "x", values[1]])
        let lines = samples(text(store, .prometheusText), prefix: "t_g{")
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.filter { $0.hasSuffix(" 2") }.count == 1)
    }

    /// A node that left: the series with its label go, whatever else they carry, and no other
    /// (not one whose value merely starts alike or holds the text escaped).
    @Test func removingTheSeriesOfOneLabelValue() throws {
        let store = MetricsStore()
        let gauge = try store.gauge("t_last", help: "G.", labels: ["peer", "bus"], expires: false)
        for peer in ["a@h", "a@h2", #"x",peer="a@h"#, "b@h"] {
            for bus in ["m", "h"] { gauge.set(1, [peer, bus]) }
        }
        #expect(store.removeSeries(family: "t_last", label: "peer", value: "a@h") == 2)
        let left = samples(text(store, .prometheusText), prefix: "t_last{")
        #expect(left.count == 6)
        #expect(!left.contains { $0.hasPrefix(#"t_last{peer="a@h","#) })
        #expect(store.removeSeries(family: "t_last", label: "bus", value: "h") == 3)
        #expect(store.removeSeries(family: "no_such_family", label: "peer", value: "a@h") == 0)
        // A series removed comes back fresh when it is updated again.
        gauge.set(5, ["a@h", "m"])
        #expect(
            samples(text(store, .prometheusText), prefix: #"t_last{peer="a@h""#) == [#"t_last{peer="a@h",bus="m"} 5"#])
    }

    @Test func valuesEqualAfterTheCapShareASeries() throws {
        let store = MetricsStore()
        let gauge = try store.gauge("t_g", help: "G.", labels: ["a"])
        gauge.set(1, [String(repeating: "a", count: 130) + "1"])
        gauge.set(2, [String(repeating: "a", count: 130) + "2"])
        #expect(samples(text(store, .prometheusText), prefix: "t_g{").count == 1)
    }

    /// A key hashed once finds the same series as the label values do, in families of the same
    /// labels and of fewer (the hash is made again then), under the cap and past it.
    @Test func aSeriesKeyFindsWhatTheLabelValuesFind() throws {
        let store = MetricsStore(configuration: StoreConfiguration(maxLabelValueBytes: 16))
        let three = try store.counter("t_three_total", help: "C.", labels: ["a", "b", "c"])
        let two = try store.gauge("t_two", help: "G.", labels: ["a", "b"])
        let histogram = try store.histogram("t_seconds", help: "H.", labels: ["a", "b", "c"], buckets: [1])
        var random = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let values = (0..<3).map { _ in
                String(
                    (0..<Int.random(in: 0...24, using: &random)).map { _ in "xy\\\"é".randomElement(using: &random)! })
            }
            let key = SeriesKey(values, in: store)
            three.add(1, values)
            three.add(2, key)
            two.set(Double(round), Array(values.prefix(2)))
            two.set(Double(round) + 0.5, key)
            histogram.observe(0.5, values)
            histogram.observe(2, key)
        }
        let exposition = text(store, .prometheusText)
        let counters = samples(exposition, prefix: "t_three_total{")
        let histograms = samples(exposition, prefix: "t_seconds_count{")
        let value = { (line: String) in Double(line.split(separator: " ").last ?? "") ?? -1 }
        // Every update by key met the series its values made: no series holds only one of the two.
        #expect(!counters.isEmpty && counters.allSatisfy { value($0).truncatingRemainder(dividingBy: 3) == 0 })
        #expect(
            histograms.count == counters.count
                && histograms.allSatisfy { value($0).truncatingRemainder(dividingBy: 2) == 0 })
        #expect(
            samples(exposition, prefix: "t_two{").allSatisfy { value($0).truncatingRemainder(dividingBy: 1) == 0.5 })
    }
}

@Suite struct SeriesIndexTests {
    /// Clustered hashes make long probe runs; removals must keep every remaining series findable.
    @Test func removalsKeepProbeRunsIntact() async {
        await onOwnThread {
            var index = SeriesIndex()
            let all = (0..<2000).map { number in
                Series(
                    labels: Array("n=\"\(number)\"".utf8), hash: (number % 13) * 64 + (number % 3), created: 0, tick: 0,
                    bucketCount: nil)
            }
            for series in all { index.insert(series) }
            var generator = SystemRandomNumberGenerator()
            let removed = Set(all.indices.shuffled(using: &generator).prefix(1200))
            for number in removed { index.remove(all[number]) }
            #expect(index.count == 800)
            for (number, series) in all.enumerated() {
                let found = index.find(hash: series.hash) { $0 === series }
                #expect((found != nil) == !removed.contains(number), "series \(number)")
            }
        }
    }
}
