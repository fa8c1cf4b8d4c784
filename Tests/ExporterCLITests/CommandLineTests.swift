import BEAMPeers
import Foundation
import Testing

extension ExporterCLITests {
    /// The defaults `--help` must show, as `--flag=default` (kingpin quotes string defaults).
    static let helpDefaults = [
        "--web.listen-address=:9571 ...", #"--web.telemetry-path="/metrics""#, "--log.level=info",
        "--log.format=logfmt", "--metrics.ttl=5m", "--metrics.max-series=100000", "--erlang.net-ticktime=60s",
        "--erlang.max-frame-size=67108864", "--pubsub.buses=ex_esdb_metrics ...", "--pubsub.pool-size=1",
        #"--cluster.shard="0/1""#, "--[no-]cluster.discover", "--[no-]collector.beam", "--collector.beam.interval=15s",
        "--collector.beam.timeout=5s", "--web.read-header-timeout=10s", "--web.idle-timeout=60s",
        "--web.max-connections=1024", "--[no-]web.enable-lifecycle",
    ]

    /// `--help` reads like node_exporter's: usage, one paragraph, `Flags:` with one line per flag
    /// (every flag argument-parser knows, with its default or placeholder), signals, exit status.
    @Test func helpListsEveryFlagWithItsDefaultLikeKingpin() async throws {
        let help = try await ErlangTools.run(Self.binary, ["--help"])
        #expect(help.status == 0)
        let lines = help.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "usage: exesdb_exporter [<flags>]")
        #expect(lines.dropFirst().first == "")
        let flagsAt = try #require(lines.firstIndex(of: "Flags:"), "\(help.output)")
        let paragraph = lines[2..<flagsAt].filter { !$0.isEmpty }
        #expect(paragraph.first?.hasPrefix("Prometheus exporter for ExESDB.") == true)
        #expect(lines[2..<flagsAt].filter(\.isEmpty).count == 1, "one paragraph, then a blank line")
        let flagLines = Array(lines[(flagsAt + 1)...].prefix { !$0.isEmpty })
        #expect(flagLines.first?.hasPrefix("  -h, --help ") == true)
        #expect(flagLines.allSatisfy { $0.hasPrefix("      --") || $0.hasPrefix("  -h, --") })
        // Help texts start in one column.
        let column = Set(flagLines.map(Self.helpTextColumn))
        #expect(column.count == 1, "\(flagLines.joined(separator: "\n"))")

        for flag in try await Self.declaredFlags() {
            let line = flagLines.first {
                $0.contains("--\(flag)=") || $0.contains("--\(flag) ") || $0.contains("--[no-]\(flag) ")
            }
            #expect(line != nil, "--\(flag) is missing from --help")
        }
        for usage in Self.helpDefaults {
            #expect(flagLines.contains { $0.contains(" \(usage) ") }, "--help should show \(usage)")
        }
        #expect(help.output.contains("Signals:\n  SIGHUP"))
        #expect(help.output.contains("SIGTERM, SIGINT"))
        #expect(help.output.contains("Exit status:\n  0 "))
        #expect(help.output.contains("  2  a setting cannot be used"))
        let short = try await ErlangTools.run(Self.binary, ["--erlang.nodes=a@b", "-h"])
        #expect(short.status == 0 && short.output == help.output)
    }

    /// Where a flag line's help text starts: after the usage and at least two spaces.
    static func helpTextColumn(_ line: String) -> Int? {
        let pattern = #"^ *(-h, )?--\S+( \.\.\.)?  +"#
        guard let match = line.range(of: pattern, options: String.CompareOptions.regularExpression) else { return nil }
        return line.distance(from: line.startIndex, to: match.upperBound)
    }

    /// The long names of every option and flag argument-parser knows (its JSON dump).
    static func declaredFlags() async throws -> [String] {
        let dump = try await ErlangTools.run(binary, ["--experimental-dump-help"])
        let root = try JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as? [String: Any]
        let command = root?["command"] as? [String: Any]
        let arguments = command?["arguments"] as? [[String: Any]] ?? []
        let names = arguments.flatMap { argument in
            (argument["names"] as? [[String: Any]] ?? []).compactMap { name in
                name["kind"] as? String == "long" ? name["name"] as? String : nil
            }
        }
        #expect(names.count > 20, "\(dump.output.prefix(500))")
        return names.filter { !$0.hasPrefix("no-") && $0 != "experimental-dump-help" }
    }
}

/// Every setting that cannot be used, from the command line or the file, exits 2 before
/// anything is bound, naming the flag or key, the value and what is expected, never a secret.
struct MistakenInvocation: Sendable, CustomTestStringConvertible {
    let arguments: [String]
    var config: String? = nil
    /// Texts the error must contain.
    let expected: [String]
    var testDescription: String {
        let file = config.map { " with the file " + $0.replacingOccurrences(of: "\n", with: " ") } ?? ""
        return (arguments.isEmpty ? "no flags" : arguments.joined(separator: " ")) + file
    }

    static let all = [
        MistakenInvocation(
            arguments: ["--metrics.max-series=lots"],
            expected: ["metrics.max_series (--metrics.max-series)=lots", "expected a whole number of at least 1"]),
        MistakenInvocation(
            arguments: ["--metrics.ttl"], expected: ["missing value for '--metrics.ttl'", "a duration like 5m"]),
        MistakenInvocation(
            arguments: ["--metrics.tll=5m"],
            expected: ["unknown option '--metrics.tll'", "Did you mean '--metrics.ttl'?", "--help lists the flags"]),
        MistakenInvocation(arguments: ["stray"], expected: ["unexpected argument 'stray'"]),
        MistakenInvocation(
            arguments: ["--pubsub.pool-size=0"], expected: ["pubsub.pool_size (--pubsub.pool-size)=0: expected 1 to 64"]
        ),
        // No node at all: a misconfiguration, not a quiet exit 0.
        MistakenInvocation(
            arguments: [], expected: ["erlang.nodes (--erlang.nodes): no ExESDB node to join", "ex_esdb@host-1"]),
        MistakenInvocation(
            arguments: [],
            config: "webhooks:\n  endpoints:\n    - name: oncall\n      headers: {Authorization: Bearer SECRET-token\n",
            expected: ["not valid YAML", "line 7, column 1"]),
        MistakenInvocation(
            arguments: [],
            config: "webhooks:\n  endpoints:\n    - {name: oncall, format: json, url: 'htps://h/SECRET-token'}\n",
            expected: ["webhooks.endpoints[0].url", #"endpoint "oncall""#, "scheme other than http or https"]),
        MistakenInvocation(
            arguments: [], config: "metrics:\n  buckets:\n    exesdb_node_load_average: [1, 2]\n",
            expected: ["metrics.buckets.exesdb_node_load_average: not a histogram", "exesdb_latency_seconds"]),
        MistakenInvocation(
            arguments: ["--collector.beam.timeout=10ms"],
            expected: ["collector.beam.timeout (--collector.beam.timeout)=10ms: expected at least 100ms"]),
        // Node names are checked at start, not left to fail every handshake (issue 14, item 9).
        MistakenInvocation(
            arguments: ["--erlang.name=bad@@host"],
            expected: ["--erlang.name=bad@@host: 'bad@@host' has 2 '@' where a node name has one"]),
        MistakenInvocation(
            arguments: ["--erlang.nodes=ex esdb@host-1"],
            expected: ["--erlang.nodes=ex esdb@host-1: the name 'ex esdb'", "letters, digits, '_' and '-'"]),
        MistakenInvocation(
            arguments: [], config: "collector:\n  beam: maybe\n",
            expected: ["collector.beam", "expected true, false or a mapping (enabled, interval, timeout)"]),
    ]
}

extension ExporterCLITests {
    @Test(arguments: MistakenInvocation.all)
    func mistakesExitTwoNamingTheFlagTheValueAndWhatIsExpected(_ mistake: MistakenInvocation) async throws {
        var arguments = mistake.arguments
        let nodeless = mistake.arguments.isEmpty && mistake.config == nil
        if !nodeless && mistake.config == nil { arguments.append("--erlang.nodes=a@localhost") }
        if let config = mistake.config {
            let path = "\(try temporaryDirectory("cli-mistake"))/exesdb_exporter.yml"
            try ("erlang:\n  nodes: [a@localhost]\n" + config).write(toFile: path, atomically: true, encoding: .utf8)
            arguments.append("--config.file=\(path)")
        }
        let run = try exporter(arguments, environment: ["ERLANG_COOKIE": "mistake-cookie"])
        #expect(try await run.waitForExit(timeout: .seconds(20)) == 2)
        let message = try await run.waitForLine(containing: "exesdb_exporter: ")
        for text in mistake.expected { #expect(message.contains(text), "\(run.lines)") }
        #expect(!run.lines.joined().contains("SECRET"), "\(run.lines)")
        #expect(!run.lines.contains { $0.contains("msg=listening") })
    }
}
