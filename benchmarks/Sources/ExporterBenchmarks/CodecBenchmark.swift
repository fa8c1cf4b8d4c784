import BEAMPeers
import ErlangTerm
import Foundation

/// Decode and re-encode of a realistic signed LatencyMetric broadcast (about 530 bytes), beside
/// the BEAM's `binary_to_term/1` and `term_to_binary/1` on the same bytes in the same run.
enum CodecBenchmark {
    static func run(iterations: Int, erlangSources: URL) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("exesdb-bench-msg-\(getpid()).bin")
        defer { try? FileManager.default.removeItem(at: file) }
        let beam = try await keyValues(
            ErlangFixtures(sourceDirectory: erlangSources.path).eval("etf_bench:run(\"\(file.path)\", \(iterations))"))
        let bytes = Array(try Data(contentsOf: file))
        let beamDecode = Double(beam["beam_decode_ns"] ?? "") ?? .nan
        let beamEncode = Double(beam["beam_encode_ns"] ?? "") ?? .nan

        let view = try TermView(parsing: bytes)
        let inner = try innerTerm(of: view)
        var checksum = 0
        func timed(_ body: () -> Int) -> Double {
            let result = nanosecondsPerCall(iterations: iterations, body)
            checksum &+= result.checksum
            return result.ns
        }
        let decode = timed { (try? TermView(parsing: bytes))?.nodeCount ?? 0 }
        let decodeAndRead = timed { readFields(bytes) }
        let legacy = timed { view.encoded(inner, style: .legacy).count }
        let utf8 = timed { view.encoded(inner, style: .utf8).count }
        let materialized = view.term(inner)
        let materialize = timed { view.term(inner) == materialized ? 1 : 0 }
        let encodeTerm = timed { materialized.encoded(style: .legacy).count }

        print("ErlangTerm codec: a signed LatencyMetric broadcast of \(bytes.count) bytes, \(iterations) iterations")
        print(
            "(best of 5 runs; BEAM \(ProcessInfo.processInfo.environment["OTP_RELEASE"] ?? "from erlang-base") in the same run)"
        )
        printTable(
            "decode",
            [
                ResultRow(name: "BEAM binary_to_term/1", nanoseconds: beamDecode, comparison: ""),
                ResultRow(
                    name: "Swift TermView(parsing:)", nanoseconds: decode,
                    comparison: ratio(decode, beamDecode, target: 0.3)),
                ResultRow(
                    name: "Swift decode + read 7 fields", nanoseconds: decodeAndRead,
                    comparison: ratio(decodeAndRead, beamDecode, target: nil)),
                ResultRow(
                    name: "Swift materialize owned Term", nanoseconds: materialize, comparison: "(not on the hot path)"),
            ])
        printTable(
            "re-encode the signed inner term (\(view.span(of: inner).count) bytes)",
            [
                ResultRow(name: "BEAM term_to_binary/1", nanoseconds: beamEncode, comparison: ""),
                ResultRow(name: "Swift view, legacy atoms", nanoseconds: legacy, comparison: target(legacy, 300)),
                ResultRow(name: "Swift view, UTF-8 atoms", nanoseconds: utf8, comparison: target(utf8, 300)),
                ResultRow(
                    name: "Swift TermEncoder on owned Term", nanoseconds: encodeTerm,
                    comparison: "(not on the hot path)"),
            ])
        print("\nchecksum \(checksum)")
        let beamVerify = Double(beam["beam_verify_ns"] ?? "") ?? .nan
        try IntakeBenchmark.run(
            message: bytes, secret: "bench-secret-key-base-0123456789abcdef0123456789abcdef0123456789abcdef",
            beamNanoseconds: beamVerify, iterations: iterations)
    }

    static func profileDecode(file: URL, iterations: Int) throws {
        let bytes = Array(try Data(contentsOf: file))
        let view = try TermView(parsing: bytes)
        let inner = try innerTerm(of: view)
        let decode = nanosecondsPerCall(iterations: iterations) { (try? TermView(parsing: bytes))?.nodeCount ?? 0 }
        let legacy = nanosecondsPerCall(iterations: iterations) { view.encoded(inner, style: .legacy).count }
        print(
            String(format: "decode %.1f ns (%d nodes), legacy re-encode %.1f ns", decode.ns, view.nodeCount, legacy.ns))
    }

    private static func innerTerm(of view: TermView) throws -> TermRef {
        guard let envelope = view.element(2, of: view.root), let inner = view.element(2, of: envelope) else {
            throw ErlangTools.Failure(description: "the benchmark message has an unexpected shape")
        }
        return inner
    }

    /// What the product does per message: decode, then read the payload's fields.
    private static func readFields(_ bytes: [UInt8]) -> Int {
        guard let view = try? TermView(parsing: bytes), let envelope = view.element(2, of: view.root),
            let inner = view.element(2, of: envelope), let payload = view.element(1, of: inner)
        else { return 0 }
        var sum = 0
        if let value = view.value(forAtomKey: "latency_ms", in: payload) { sum &+= Int(view.double(of: value) ?? 0) }
        if let value = view.value(forAtomKey: "sample_count", in: payload) { sum &+= view.int(of: value) ?? 0 }
        if let value = view.value(forAtomKey: "percentile", in: payload), view.isAtom(value, "p99") { sum &+= 1 }
        if let value = view.value(forAtomKey: "operation", in: payload), view.isAtom(value, "stream_append") {
            sum &+= 1
        }
        if let value = view.value(forAtomKey: "node", in: payload) { sum &+= view.count(of: value) }
        if let stamp = view.value(forAtomKey: "timestamp", in: payload),
            let year = view.value(forAtomKey: "year", in: stamp)
        {
            sum &+= view.int(of: year) ?? 0
        }
        if let structName = view.value(forAtomKey: "__struct__", in: payload) { sum &+= view.count(of: structName) }
        return sum
    }

    /// The `key value` lines the BEAM side printed.
    private static func keyValues(_ printed: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in printed.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        return values
    }

    private static func ratio(_ value: Double, _ peer: Double, target: Double?) -> String {
        let figure = String(format: "%.3fx the BEAM", value / peer)
        guard let target else { return figure }
        return figure + (value / peer <= target ? "  (target <= \(target)x: met)" : "  (target <= \(target)x: MISSED)")
    }

    private static func target(_ value: Double, _ limit: Double) -> String {
        value <= limit ? "(target <= \(Int(limit)) ns: met)" : "(target <= \(Int(limit)) ns: MISSED)"
    }
}
