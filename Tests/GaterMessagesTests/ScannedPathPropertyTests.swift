import BEAMPeers
import ErlangTerm
import Testing

@testable import GaterMessages

/// Random payloads of every kind (the nine buses'), with every value shape the tolerant decoding meets (integers
/// of all sizes, floats, atoms, `nil`, binaries, charlists, lists, maps, DateTimes whole and
/// broken), signed with the secret as an OTP 25 publisher signs: whenever the scanned path
/// answers, it answers exactly what the general path decodes.
@Suite struct ScannedPathPropertyTests {
    let secret = GaterMessagesTests.secret

    struct Generator {
        var random: HostileMessageTests.Mixer

        mutating func pick<T>(_ choices: [T]) -> T { choices[Int.random(in: 0..<choices.count, using: &random)] }
        mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

        mutating func value(depth: Int = 0) -> Term {
            switch Int.random(in: 0..<15, using: &random) {
            case 0: return .integer(Int.random(in: 0...255, using: &random))
            case 1: return .integer(Int.random(in: -1_000_000...1_000_000, using: &random))
            case 2: return .integer(pick([Int.max, Int.min + 1, 8_000_000_000, -9_000_000_000]))
            case 3:
                let bytes = (0..<Int.random(in: 1...12, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
                return .bigInteger(BigInteger(isNegative: chance(50), magnitude: bytes))
            case 4: return .float(pick([0.0, -2.5, 1e300, 4.375, 99.99, -0.0]))
            case 5: return .atom(Atom(pick(["stream_append", "p99", "nil", "true", "false", "ex_esdb@host-2"])))
            case 6: return .binary(Array(pick(["persistence", "", "disk 97% full", "caf\u{e9}"]).utf8))
            case 7: return .string(Array(pick(["abc", "charlist title"]).utf8))
            case 8:
                return .list(
                    depth > 1 ? [] : (0..<Int.random(in: 0...3, using: &random)).map { _ in value(depth: depth + 1) })
            case 9: return .list([])
            case 10: return depth > 1 ? .atom("nil") : map(depth: depth + 1)
            case 11: return dateTime()
            case 12: return .tuple([value(depth: depth + 1), 3])
            case 13: return pid()
            default: return .atom("nil")
            }
        }

        mutating func map(depth: Int) -> Term {
            .map(
                (0..<Int.random(in: 0...3, using: &random)).map { index in
                    MapEntry(
                        pick([.atom(Atom("k\(index)")), .binary(Array("b\(index)".utf8)), .integer(index)]),
                        value(depth: depth + 1))
                })
        }

        /// A pid, as a LogEntry's or a ProcessLifecycle's; now and then on a node whose name is not ASCII.
        mutating func pid() -> Term {
            .pid(
                Pid(
                    node: Atom(pick(["ex_esdb@host-1", "nonode@nohost", "n\u{f6}de@h"])),
                    id: UInt32.random(in: 0...40_000, using: &random), serial: 0, creation: pick([0, 1_700_000_000])))
        }

        /// A DateTime, whole or with a part missing, of another type or out of range.
        mutating func dateTime() -> Term {
            var parts: [(String, Term)] = [
                ("__struct__", .atom("Elixir.DateTime")), ("calendar", .atom("Elixir.Calendar.ISO")),
                ("day", .integer(Int.random(in: 0...32, using: &random))), ("hour", 10),
                ("microsecond", pick([.tuple([123_000, 3]), .tuple([]), 5, .atom("nil")])), ("minute", 15),
                ("month", .integer(Int.random(in: 0...13, using: &random))), ("second", pick([30, 30.5, .atom("x")])),
                ("std_offset", 0), ("time_zone", .binary(Array("Etc/UTC".utf8))), ("utc_offset", pick([0, 3600])),
                ("year", pick([2026, .bigInteger(BigInteger(2026)), .integer(2_000_000_000)])),
                ("zone_abbr", .binary(Array("UTC".utf8))),
            ]
            if chance(20) { parts.remove(at: Int.random(in: 0..<parts.count, using: &random)) }
            return .map(parts.map { MapEntry(.atom(Atom($0.0)), $0.1) })
        }

        /// A value of the shape the field usually has, in one of its spellings.
        mutating func expected(_ key: PayloadField) -> Term {
            switch key {
            case .timestamp, .lastCheck, .ackTimestamp: return dateTime()
            case .value, .latencyMs, .ratePerSec, .usagePercent, .totalAvailable, .currentUsed, .currentValue,
                .thresholdValue, .loadAvg, .memoryUsage, .diskUsage, .durationMs, .errorRate, .fileSize:
                return pick([.float(4.375), .integer(42), .integer(8_000_000_000), .float(0.5)])
            case .count, .sampleCount, .healthyNodes, .totalNodes, .attempts, .clusterSize, .restartCount,
                .processCount, .frequency, .totalLogs, .entriesCount:
                return pick([.integer(12_480), .integer(3), .float(7.9), .list([.atom("a"), .atom("b")])])
            case .requiresAck, .enabled, .success, .automated: return .atom(Atom(pick(["true", "false"])))
            case .degradedNodes, .unhealthyNodes, .notifyContacts, .affectedNodes, .activeNodes, .affectedUsers:
                return pick([.list([.atom("ex_esdb@a"), .binary(Array("ops@example.com".utf8))]), .list([])])
            case .pid: return pick([pid(), .atom("main_store"), .binary(Array("emitter".utf8))])
            case .tags, .checks, .details, .metadata, .findings, .logCounts, .changes:
                return .map([
                    MapEntry(.atom("shard"), .integer(3)), MapEntry(.binary(Array("ratio".utf8)), .float(0.5)),
                    MapEntry(.atom("disk"), .atom(Atom(pick(["ok", "fail", "degraded"])))),
                ])
            default: return pick([.atom("stream_read"), .binary(Array("ex_esdb@host-1".utf8)), .atom("warning")])
            }
        }

        /// `{Tag, Payload}` of `kind`: its struct's keys (some left out), values of any shape or
        /// of the expected one.
        mutating func inner(_ kind: GaterMessageKind) -> Term {
            let keys = StructKeys.of(kind).fields.filter { $0 != .structModule }
            var entries: [MapEntry] = []
            if let module = kind.module, !chance(10) {
                entries.append(MapEntry(.atom("__struct__"), .atom(Atom(module))))
            }
            for key in keys where !chance(10) {
                entries.append(MapEntry(.atom(Atom(key.atomName)), chance(75) ? expected(key) : value()))
            }
            let tag = chance(90) ? kind.rawValue : pick(GaterMessageKind.allCases).rawValue
            return .tuple([.atom(Atom(tag)), .map(entries)])
        }
    }

    /// The broadcast as the distribution carries it, signed over OTP 25's `term_to_binary`.
    func broadcast(_ inner: Term) -> [UInt8] {
        let data = inner.encoded(style: .legacy)
        let mac = SignatureKey(Array(secret.utf8)).mac { update in data.withUnsafeBytes(update) }
        let signature = mac.withUnsafeBytes { Array($0) }
        return Term.tuple([
            .atom("forward_to_local"), .binary(Array("latency".utf8)),
            .tuple([.atom("secure_message"), .binary(signature), inner]), .atom("Elixir.Phoenix.PubSub"),
        ]).encoded()
    }

    @Test func signedRandomPayloadsOfEveryKindScanToTheGeneralAnswer() async {
        await onOwnThread {
            let paths = ScannedPathTests()
            var generator = Generator(random: HostileMessageTests.Mixer(state: 99))
            var counts = (scanned: 0, general: 0, kinds: Set<GaterMessageKind>())
            for round in 0..<15_000 {
                let kind = GaterMessageKind.allCases[round % GaterMessageKind.allCases.count]
                let bytes = broadcast(generator.inner(kind))
                let expected = paths.general(bytes, style: RememberedStyle())
                if case .success = expected { counts.general += 1 }
                guard let message = paths.scanned(bytes, style: RememberedStyle()) else { continue }
                counts.scanned += 1
                counts.kinds.insert(message.kind)
                #expect(expected == .success(message), "round \(round): \(bytes)")
            }
            // The generator makes both paths' work: many payloads decode, and many take the scanned path.
            #expect(counts.general > 2500 && counts.scanned > 1200, "\(counts)")
            // Every struct's kind (log_event has none, so never scans).
            #expect(counts.kinds.count >= 30, "kinds that took the scanned path: \(counts.kinds)")
        }
    }
}
