import Testing

@testable import ExporterConfiguration

@Suite struct ConfigFileTests {
    @Test func theDesignExampleDecodes() throws {
        let yaml = """
            erlang:
              name: exesdb_exporter@host-1
              nodes: [ex_esdb@host-1]
              cookie_file: /etc/exesdb_exporter/cookie
              net_ticktime: 60s
            pubsub:
              buses: [ex_esdb_metrics, ex_esdb_health, ex_esdb_alerts]
              pool_size: 1
              topics:
                ex_esdb_alerts: [critical, escalations]
            cluster:
              discover: true
              shard: 0/1
            security:
              secret_key_base_file: /etc/exesdb_exporter/secret_key_base
            metrics:
              ttl: 5m
              max_series: 100000
              buckets:
                exesdb_latency_seconds: [0.001, 0.01, 0.1, 1]
            web:
              listen_address: 127.0.0.1:9571
            log:
              level: debug
            webhooks:
              spool_dir: /var/lib/exesdb_exporter/spool
              endpoints:
                - name: oncall
                  url: https://hooks.example.internal/exesdb
            """
        let file = try ConfigFile.parse(yaml, path: "x.yml")
        let settings = file.settings
        #expect(settings.erlang?.nodes == ["ex_esdb@host-1"])
        #expect(settings.erlang?.netTicktime == ConfigDuration(.seconds(60)))
        #expect(settings.pubsub?.topics == ["ex_esdb_alerts": ["critical", "escalations"]])
        #expect(settings.cluster?.shard == "0/1")
        #expect(settings.metrics?.ttl == ConfigDuration(.seconds(300)))
        #expect(settings.metrics?.buckets?["exesdb_latency_seconds"] == [0.001, 0.01, 0.1, 1])
        #expect(settings.web?.listenAddress == ["127.0.0.1:9571"])
        #expect(settings.log?.level == "debug")
        struct Webhooks: Decodable {
            var spoolDir: String
            enum CodingKeys: String, CodingKey { case spoolDir = "spool_dir" }
        }
        #expect(try file.section("webhooks", as: Webhooks.self)?.spoolDir == "/var/lib/exesdb_exporter/spool")
    }

    @Test func anEmptyFileIsAllDefaults() throws {
        #expect(try ConfigFile.parse("", path: "x").settings == ExporterFileSettings())
    }

    @Test(arguments: [
        (
            "erlang:\n  nmae: x\n",
            "config file c.yml: erlang.nmae: unknown key \"nmae\"; expected one of: name, nodes, listen, tls, cookie_file, net_ticktime, max_frame_size"
        ),
        (
            "metrics:\n  ttl: 5 minutes\n",
            #"config file c.yml: metrics.ttl: expected a duration such as 500ms, 5s, 5m or 1h (units ms, s, m, h, d, w, y), got "5 minutes""#
        ),
        ("pubsub:\n  pool_size: many\n", "config file c.yml: pubsub.pool_size: expected an integer"),
        (
            "erlang:\n  nodes: [a, [b]]\n",
            "config file c.yml: erlang.nodes[1]: expected a single value, not a list or a mapping"
        ),
        ("- just\n- a list\n", "config file c.yml: expected a mapping of sections (erlang:, pubsub:, ...)"),
        (
            "webhook:\n  x: 1\n",
            "config file c.yml: webhook: unknown key \"webhook\"; expected one of: web, log, erlang, pubsub, cluster, security, metrics, webhooks, collector"
        ),
    ])
    func mistakesNameTheKeyAndWhatIsExpected(yaml: String, message: String) {
        #expect {
            _ = try ConfigFile.parse(yaml, path: "c.yml")
        } throws: { error in
            "\(error)" == message
        }
    }

    /// YAML 1.1 reads `1:30` as a base-60 integer, and Yams's own reading of an Int traps when
    /// one overflows (found by fuzzing the config file): every integer key gives an error instead.
    @Test(arguments: [
        ("erlang:\n  net_ticktime: ", "erlang.net_ticktime"), ("erlang:\n  max_frame_size: ", "erlang.max_frame_size"),
        ("pubsub:\n  pool_size: ", "pubsub.pool_size"), ("metrics:\n  max_series: ", "metrics.max_series"),
        ("web:\n  max_connections: ", "web.max_connections"),
    ])
    func anOverflowingBase60IntegerIsAnError(prefix: String, key: String) {
        #expect {
            _ = try ConfigFile.parse(prefix + "-99998999999:999999999989999999:99999\n", path: "c.yml")
        } throws: { error in
            "\(error)".hasPrefix("config file c.yml: \(key): expected ")
        }
    }

    @Test func badYAMLSaysWhere() {
        #expect {
            _ = try ConfigFile.parse("erlang: [unclosed\n", path: "c.yml")
        } throws: { error in
            "\(error)".hasPrefix("config file c.yml: not valid YAML:") && "\(error)".contains("line")
        }
    }

    /// Yams quotes the offending line; that line may hold a token (a webhook header, a URL with
    /// a token in it), so only the position and libyaml's fixed description are reported.
    @Test(arguments: [
        (
            "webhooks:\n  endpoints:\n    - name: a\n      headers: {Authorization: Bearer tok-SECRET-1\n",
            "line 5, column 1"
        ),
        ("webhooks:\n  endpoints:\n    - url: https://h/x?token=tok-SECRET-2: [\n", "line 3, column"),
        ("webhooks:\n  external_url: \"https://h/tok-SECRET-3\n", "line 2, column"),
        (
            "log:\n  level: info\n  level: tok-SECRET-4\n",
            "appears twice in the mapping that starts at line 2, column 3"
        ),
        ("webhooks:\n  x: tok-SECRET-5\u{1}\n", "line 2, column 18"),
    ])
    func yamlErrorsGiveThePositionButNeverTheText(yaml: String, position: String) {
        #expect {
            _ = try ConfigFile.parse(yaml, path: "c.yml")
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("config file c.yml: not valid YAML: ") && message.contains(position)
                && !message.contains("SECRET") && !message.contains("\n")
        }
    }

    @Test func aMissingFileSaysSo() {
        #expect(throws: ConfigFileError.cannotRead(path: "/nonexistent/c.yml")) {
            try ConfigFile.load(path: "/nonexistent/c.yml")
        }
    }

    @Test(arguments: [
        ("500ms", 500), ("30s", 30_000), ("5m", 300_000), ("1h30m", 5_400_000), ("2d", 172_800_000),
        ("1w", 604_800_000),
    ])
    func durations(text: String, milliseconds: Int64) {
        #expect(ConfigDuration.parse(text) == .milliseconds(milliseconds))
    }

    /// Prometheus's grammar: each unit once, from the largest down. `1m5m` was read as 6m here
    /// while the webhooks section refused it.
    @Test(arguments: [
        "", "5", "m", "5x", "-5s", "1.5h", "99999999999999999999y", "1m5m", "30m1h", "1s1s", "5 m", " 5m", "5M",
    ])
    func notDurations(text: String) {
        #expect(ConfigDuration.parse(text) == nil)
        #expect(PrometheusDuration.parse(text) == nil)
    }

    @Test func prometheusDurations() {
        let cases: [(String, Duration?)] = [
            ("500ms", .milliseconds(500)), ("5s", .seconds(5)), ("5m", .seconds(300)), ("1h", .seconds(3600)),
            ("1h30m", .seconds(5400)), ("2d", .seconds(172_800)), ("1w", .seconds(604_800)),
            ("1y", .seconds(31_536_000)), ("1m500ms", .milliseconds(60_500)), ("0", .zero), ("0s", .zero),
        ]
        for (text, expected) in cases {
            #expect(PrometheusDuration.parse(text) == expected, "\(text)")
        }
        #expect(PrometheusDuration.format(.seconds(5400)) == "1h30m")
        #expect(PrometheusDuration.format(.milliseconds(1500)) == "1s500ms")
        #expect(ConfigDuration(.milliseconds(1500)).description == "1s500ms")
    }

    /// Every duration prints, also those no text gives (whole seconds from net_ticktime or a
    /// flag, beyond 2^63 milliseconds, or negative): formatting one used to trap.
    @Test func anyDurationPrints() {
        #expect(PrometheusDuration.format(.seconds(99_999_999_999_999_999)) == "3170979198y19w4d9h46m39s")
        #expect(PrometheusDuration.format(.seconds(-99_999_999_999_999_999)) == "-3170979198y19w4d9h46m39s")
        #expect(PrometheusDuration.format(.milliseconds(-1500)) == "-1s500ms")
        #expect(PrometheusDuration.format(.seconds(Int64.max)) == "292471208677y27w6d15h30m7s")
        #expect(PrometheusDuration.format(.seconds(Int64.min)).hasPrefix("-"))
        #expect(PrometheusDuration.format(.microseconds(999)) == "0s")
        #expect(
            PrometheusDuration.parse(PrometheusDuration.format(.milliseconds(Int64.max))) == .milliseconds(Int64.max))
    }

    /// Every duration key of the file reads the same grammar: a bare number is refused with what
    /// is expected (only net_ticktime takes whole seconds, Erlang's own unit).
    @Test func fileDurationsUseTheOneGrammar() throws {
        for (yaml, key) in [
            ("metrics: {ttl: 1m5m}", "metrics.ttl"), ("metrics: {ttl: 300}", "metrics.ttl"),
            ("cluster: {refresh_interval: 30m1h}", "cluster.refresh_interval"),
            ("collector: {beam: {interval: 1s1s}}", "collector.beam.interval"),
        ] {
            #expect(throws: ConfigFileError.self, "\(yaml)") { try ConfigFile.parse(yaml, path: "x.yml") }
            do {
                _ = try ConfigFile.parse(yaml, path: "x.yml")
            } catch {
                #expect("\(error)".contains(key), "\(error)")
                #expect("\(error)".contains("expected a duration such as 500ms"), "\(error)")
            }
        }
        let erlang = try ConfigFile.parse("erlang: {net_ticktime: 90}", path: "x.yml").settings.erlang
        #expect(erlang?.netTicktime == ConfigDuration(.seconds(90)))
    }
}
