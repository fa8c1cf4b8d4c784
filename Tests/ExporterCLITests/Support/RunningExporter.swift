import BEAMPeers
import Foundation

/// The `exesdb_exporter` binary serving on a free loopback port.
final class RunningExporter: Sendable {
    let port: Int
    let process: BackgroundProcess

    /// Starts the binary with `arguments` and `--web.listen-address=127.0.0.1:<free port>`.
    init(_ arguments: [String], environment: [String: String]) throws {
        port = ErlangTools.freePort()
        process = try BackgroundProcess(
            ExporterCLITests.binary, arguments + ["--web.listen-address=127.0.0.1:\(port)"], environment: environment)
    }

    /// Starts it against `publisher` and waits until it has joined the PubSub groups.
    static func joining(_ publisher: Publisher, _ arguments: [String] = []) async throws -> RunningExporter {
        let exporter = try RunningExporter(
            publisher.exporterArguments() + arguments, environment: publisher.environment)
        try await exporter.process.waitForLine(containing: "msg=listening", timeout: .seconds(30))
        try await exporter.process.waitForLine(containing: "joined the PubSub groups", timeout: .seconds(30))
        return exporter
    }

    var target: String { "127.0.0.1:\(port)" }
    var lines: [String] { process.lines }

    /// GET `path` over plain HTTP.
    func get(_ path: String, _ curlArguments: [String] = []) async throws -> HTTPAnswer {
        try await HTTPAnswer.fetch("http://\(target)\(path)", curlArguments)
    }

    /// The samples of `/metrics` (Prometheus text 0.0.4) over plain HTTP.
    func samples() async throws -> [Sample] {
        let answer = try await get("/metrics")
        guard answer.status == 200 else {
            throw ErlangTools.Failure(description: "/metrics answered \(answer.status): \(answer.body)")
        }
        return Sample.parse(answer.body)
    }

    /// Kills the exporter without waiting for its end (a `defer` cannot wait).
    func stop() { process.stopNow() }
}

/// One HTTP exchange made with the `curl` command-line tool.
struct HTTPAnswer: Sendable {
    let status: Int
    let body: String

    static func fetch(_ url: String, _ arguments: [String] = []) async throws -> HTTPAnswer {
        let result = try await ErlangTools.run(
            "curl", ["-sS", "--max-time", "20", "-w", "\n%{http_code}"] + arguments + [url])
        guard result.status == 0, let newline = result.output.lastIndex(of: "\n") else {
            throw ErlangTools.Failure(description: "curl \(url) failed (\(result.status)): \(result.output)")
        }
        return HTTPAnswer(
            status: Int(result.output[result.output.index(after: newline)...]) ?? 0,
            body: String(result.output[..<newline]))
    }
}

/// One sample line of the Prometheus text format.
struct Sample: Sendable, Equatable {
    let name: String
    let labels: [String: String]
    let value: Double

    /// The samples of an exposition in the 0.0.4 text format (comments skipped).
    static func parse(_ text: String) -> [Sample] {
        text.split(separator: "\n").compactMap { line in
            line.hasPrefix("#") ? nil : Sample(line: Substring(line))
        }
    }

    private init?(line: Substring) {
        guard let valueStart = line.lastIndex(of: " "), let value = Double(line[line.index(after: valueStart)...])
        else { return nil }
        let series = line[..<valueStart]
        let brace = series.firstIndex(of: "{") ?? series.endIndex
        name = String(series[..<brace])
        labels = brace == series.endIndex ? [:] : Self.labels(series[series.index(after: brace)...].dropLast())
        self.value = value
    }

    /// `a="x",b="y\"z"` into a dictionary, undoing the format's escapes.
    private static func labels(_ text: Substring) -> [String: String] {
        var labels: [String: String] = [:]
        var rest = text[...]
        while let equals = rest.firstIndex(of: "=") {
            let name = rest[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: ","))
            var value = ""
            var index = rest.index(equals, offsetBy: 2)  // past `="`
            while index < rest.endIndex, rest[index] != "\"" {
                if rest[index] == "\\", rest.index(after: index) < rest.endIndex {
                    index = rest.index(after: index)
                    value.append(rest[index] == "n" ? "\n" : rest[index])
                } else {
                    value.append(rest[index])
                }
                index = rest.index(after: index)
            }
            labels[name] = value
            rest = index < rest.endIndex ? rest[rest.index(after: index)...] : ""
        }
        return labels
    }
}

extension [Sample] {
    /// Samples of the ExESDB families (those that expire with the TTL; the BEAM collector's
    /// `exesdb_node_application_info` is read from the nodes, not the buses, and does not).
    var exesdbSeries: [Sample] {
        filter {
            $0.name.hasPrefix("exesdb_") && !$0.name.hasPrefix("exesdb_exporter_") && $0.name != "exesdb_up"
                && $0.name != "exesdb_node_application_info"
                && !Self.lasting.contains($0.name)
        }
    }

    /// The ExESDB families that outlive the TTL: a node's version, start time and features, sent
    /// once (at its start, at a toggle).
    static let lasting: Set<String> = [
        "exesdb_node_info", "exesdb_node_start_timestamp_seconds", "exesdb_feature_enabled",
    ]

    func named(_ name: String) -> [Sample] { filter { $0.name == name } }
}
