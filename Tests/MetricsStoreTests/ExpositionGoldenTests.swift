import Testing

@testable import MetricsStore

/// Each family's exact shape in both formats, with the escaping rules.
@Suite struct ExpositionGoldenTests {
    /// A store holding one family of every type, with awkward label values and help text.
    static func makeStore() throws -> MetricsStore {
        let store = MetricsStore(clock: ManualClock().read)
        let requests = try store.counter(
            "t_requests_total", help: #"Requests with "quotes", a \ and a"# + "\nline feed.", labels: ["path"])
        requests.add(3, [#"a"b\c"# + "\nd"])
        requests.add(1.5, ["/"])
        let usage = try store.gauge("t_usage_ratio", help: "Usage.", unit: "ratio", labels: ["node", "resource"])
        usage.set(0.25, ["n1", "cpu"])
        usage.set(-1e-7, ["n1", "disk"])
        let latency = try store.histogram(
            "t_latency_seconds", help: "Latency.", unit: "seconds", labels: ["op"], buckets: [0.01, 0.1, 1])
        for value in [0.005, 0.05, 0.05, 2] { latency.observe(value, ["append"]) }
        let health = try store.stateSet(
            "t_health", help: "Health.", labels: ["node"], states: ["healthy", "degraded", "unhealthy"])
        health.set("degraded", ["n1"])
        let build = try store.info("t_build_info", help: "Build.", labels: ["version"])
        build.set(["1.0"])
        return store
    }

    @Test func prometheusText() throws {
        let expected = """
            # HELP exesdb_exporter_series Live series in the exporter.
            # TYPE exesdb_exporter_series gauge
            exesdb_exporter_series 10
            # HELP exesdb_exporter_series_dropped_total New series not created because StoreSetting.maxSeries was reached.
            # TYPE exesdb_exporter_series_dropped_total counter
            exesdb_exporter_series_dropped_total{reason="cardinality_limit"} 0
            # HELP exesdb_exporter_series_expired_total Series removed because they were not updated for StoreSetting.ttl.
            # TYPE exesdb_exporter_series_expired_total counter
            exesdb_exporter_series_expired_total 0
            # HELP t_build_info Build.
            # TYPE t_build_info gauge
            t_build_info{version="1.0"} 1
            # HELP t_health Health.
            # TYPE t_health gauge
            t_health{node="n1",t_health="healthy"} 0
            t_health{node="n1",t_health="degraded"} 1
            t_health{node="n1",t_health="unhealthy"} 0
            # HELP t_latency_seconds Latency.
            # TYPE t_latency_seconds histogram
            t_latency_seconds_bucket{op="append",le="0.01"} 1
            t_latency_seconds_bucket{op="append",le="0.1"} 3
            t_latency_seconds_bucket{op="append",le="1"} 3
            t_latency_seconds_bucket{op="append",le="+Inf"} 4
            t_latency_seconds_count{op="append"} 4
            t_latency_seconds_sum{op="append"} 2.105
            # HELP t_requests_total Requests with "quotes", a \\\\ and a\\nline feed.
            # TYPE t_requests_total counter
            t_requests_total{path="/"} 1.5
            t_requests_total{path="a\\"b\\\\c\\nd"} 3
            # HELP t_usage_ratio Usage.
            # TYPE t_usage_ratio gauge
            t_usage_ratio{node="n1",resource="cpu"} 0.25
            t_usage_ratio{node="n1",resource="disk"} -1e-07

            """
        expectSameLines(text(try Self.makeStore(), .prometheusText), expected)
    }

    @Test func openMetrics() throws {
        let expected = """
            # HELP exesdb_exporter_series Live series in the exporter.
            # TYPE exesdb_exporter_series gauge
            exesdb_exporter_series 10
            # HELP exesdb_exporter_series_dropped New series not created because StoreSetting.maxSeries was reached.
            # TYPE exesdb_exporter_series_dropped counter
            exesdb_exporter_series_dropped_total{reason="cardinality_limit"} 0
            exesdb_exporter_series_dropped_created{reason="cardinality_limit"} 1700000000.500
            # HELP exesdb_exporter_series_expired Series removed because they were not updated for StoreSetting.ttl.
            # TYPE exesdb_exporter_series_expired counter
            exesdb_exporter_series_expired_total 0
            exesdb_exporter_series_expired_created 1700000000.500
            # HELP t_build Build.
            # TYPE t_build info
            t_build_info{version="1.0"} 1
            # HELP t_health Health.
            # TYPE t_health stateset
            t_health{node="n1",t_health="healthy"} 0
            t_health{node="n1",t_health="degraded"} 1
            t_health{node="n1",t_health="unhealthy"} 0
            # HELP t_latency_seconds Latency.
            # TYPE t_latency_seconds histogram
            # UNIT t_latency_seconds seconds
            t_latency_seconds_bucket{op="append",le="0.01"} 1
            t_latency_seconds_bucket{op="append",le="0.1"} 3
            t_latency_seconds_bucket{op="append",le="1"} 3
            t_latency_seconds_bucket{op="append",le="+Inf"} 4
            t_latency_seconds_count{op="append"} 4
            t_latency_seconds_sum{op="append"} 2.105
            t_latency_seconds_created{op="append"} 1700000000.500
            # HELP t_requests Requests with \\"quotes\\", a \\\\ and a\\nline feed.
            # TYPE t_requests counter
            t_requests_total{path="/"} 1.5
            t_requests_created{path="/"} 1700000000.500
            t_requests_total{path="a\\"b\\\\c\\nd"} 3
            t_requests_created{path="a\\"b\\\\c\\nd"} 1700000000.500
            # HELP t_usage_ratio Usage.
            # TYPE t_usage_ratio gauge
            # UNIT t_usage_ratio ratio
            t_usage_ratio{node="n1",resource="cpu"} 0.25
            t_usage_ratio{node="n1",resource="disk"} -1e-07
            # EOF

            """
        expectSameLines(text(try Self.makeStore(), .openMetrics), expected)
    }

    @Test func twoScrapesOfTheSameStateAreIdentical() throws {
        let store = try Self.makeStore()
        for format in ExpositionFormat.allCases {
            #expect(store.render(format) == store.render(format))
        }
    }

    @Test func labelValuesAreCappedAtACharacterBoundary() throws {
        let store = MetricsStore()
        let gauge = try store.gauge("t_g", help: "G.", labels: ["v"])
        // 127 ASCII bytes then a 2-byte character: cutting at 128 would split it.
        gauge.set(1, [String(repeating: "a", count: 127) + "é" + "tail"])
        let line = try #require(samples(text(store, .prometheusText), prefix: "t_g{").first)
        #expect(line == #"t_g{v=""# + String(repeating: "a", count: 127) + #""} 1"#)
        gauge.set(2, [String(repeating: "b", count: 300)])
        #expect(samples(text(store, .prometheusText), prefix: "t_g{v=\"bbb").first?.count == 128 + 11)
    }

    @Test func controlCharactersInLabelValuesAreReplaced() throws {
        let store = MetricsStore()
        let gauge = try store.gauge("t_g", help: "G.", labels: ["v"])
        // NUL, ESC, a tab and DEL from a peer: each becomes U+FFFD; the line feed stays, escaped.
        let hostile = "a\u{0}b\u{1B}[31mc\td\u{7F}e\nf"
        gauge.set(1, [hostile])
        let series = store.seriesCount
        gauge.set(2, [hostile])
        for format in ExpositionFormat.allCases {
            let lines = samples(text(store, format), prefix: "t_g{")
            #expect(lines == [#"t_g{v="a\#u{FFFD}b\#u{FFFD}[31mc\#u{FFFD}d\#u{FFFD}e\nf"} 2"#], "\(format)")
        }
        #expect(store.seriesCount == series, "the same raw value finds the same series")
    }

    @Test func specialValues() throws {
        let store = MetricsStore()
        let gauge = try store.gauge("t_g", help: "G.", labels: ["v"])
        gauge.set(.infinity, ["inf"])
        gauge.set(-.infinity, ["minf"])
        gauge.set(.nan, ["nan"])
        gauge.set(123_456_789_012, ["big"])
        gauge.set(1e20, ["huge"])
        let lines = samples(text(store, .openMetrics), prefix: "t_g{")
        #expect(
            lines == [
                #"t_g{v="big"} 123456789012"#, #"t_g{v="huge"} 1e+20"#, #"t_g{v="inf"} +Inf"#, #"t_g{v="minf"} -Inf"#,
                #"t_g{v="nan"} NaN"#,
            ])
    }

    @Test func invalidDefinitionsAreRefusedWithTheReason() {
        let store = MetricsStore()
        #expect(throws: FamilyRegistrationError.self) { try store.counter("t_requests", help: "no _total") }
        #expect(throws: FamilyRegistrationError.self) { try store.gauge("1bad", help: "") }
        #expect(throws: FamilyRegistrationError.self) { try store.gauge("t_g", help: "", labels: ["__reserved"]) }
        #expect(throws: FamilyRegistrationError.self) { try store.gauge("t_g", help: "", labels: ["le"]) }
        #expect(throws: FamilyRegistrationError.self) { try store.gauge("t_latency", help: "", unit: "seconds") }
        #expect(throws: FamilyRegistrationError.self) {
            try store.histogram("t_h_seconds", help: "", buckets: [1, 0.5])
        }
        #expect(throws: FamilyRegistrationError.self) { try store.stateSet("t_s", help: "", states: []) }
        #expect(throws: Never.self) { try store.gauge("t_same", help: "", labels: ["a"]) }
        #expect(throws: FamilyRegistrationError.conflictingDefinition("t_same")) {
            try store.gauge("t_same", help: "", labels: ["b"])
        }
    }
}
