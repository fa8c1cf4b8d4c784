import Foundation

/// Where the seeds come from: files the project's own fixtures write (scripts/fuzz.sh runs them).
struct SeedSources {
    /// `term_corpus:write/1` (Tests/ErlangTermTests/Fixtures): every corpus term as the BEAM
    /// encodes it, in both atom styles and compressed.
    var terms: [(name: String, bytes: [UInt8])] = []
    /// `gater_fixture:write/2` (erlang/gater_fixture.erl): ExESDBGater broadcasts as the
    /// distribution carries them, signed with `ScannerTarget.secret`.
    var broadcasts: [(name: String, bytes: [UInt8])] = []
    /// The YAML examples of deploy/ and docs/ (config files and web configs), one per file.
    var yaml: [(name: String, bytes: [UInt8])] = []

    init(environment: [String: String]) throws {
        if let path = environment["FUZZ_TERM_CORPUS"] {
            var reader = RecordReader(try Self.contents(path))
            while let name = reader.text(lengthBytes: 2), let count = reader.integer(bytes: 1) {
                for index in 0..<count {
                    guard let bytes = reader.chunk(lengthBytes: 4) else { break }
                    terms.append(("\(name)-\(index)", bytes))
                }
            }
        }
        if let path = environment["FUZZ_BROADCASTS"] {
            var reader = RecordReader(try Self.contents(path))
            while let name = reader.text(lengthBytes: 2), let bytes = reader.chunk(lengthBytes: 4) {
                broadcasts.append((name, bytes))
            }
        }
        if let directory = environment["FUZZ_YAML"] {
            for file in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
                yaml.append((file, try Self.contents(directory + "/" + file)))
            }
        }
    }

    static func contents(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        return Array(data)
    }
}

/// `<u16 or u32 length><bytes>` records, as the Erlang fixtures write them.
struct RecordReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func integer(bytes count: Int) -> Int? {
        guard offset + count <= bytes.count else { return nil }
        defer { offset += count }
        return bytes[offset..<(offset + count)].reduce(0) { $0 << 8 | Int($1) }
    }

    mutating func chunk(lengthBytes: Int) -> [UInt8]? {
        guard let length = integer(bytes: lengthBytes), offset + length <= bytes.count else { return nil }
        defer { offset += length }
        return Array(bytes[offset..<(offset + length)])
    }

    mutating func text(lengthBytes: Int) -> String? {
        chunk(lengthBytes: lengthBytes).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Each target's seed corpus, from the fixtures' files and from the product's own encoders.
enum SeedCorpus {
    static func write(into directory: String, sources: SeedSources) throws {
        let yaml =
            sources.yaml + [
                ("config-secrets.yml", Array(configWithSecrets.utf8)),
                ("web-secrets.yml", Array(webConfigWithSecrets.utf8)),
            ]
        let seeds: [String: [(String, [UInt8])]] = [
            "term": sources.terms + sources.broadcasts + regressions.terms,
            "scanner": sources.broadcasts,
            "frame": try FrameTarget().seeds(broadcasts: sources.broadcasts.map(\.bytes)).enumerated().map {
                ("frame-\($0.offset)", $0.element)
            },
            "handshake": HandshakeTarget.seeds().enumerated().map { ("handshake-\($0.offset)", $0.element) },
            "config": yaml + regressions.config,
            "webconfig": yaml,
            "spool": SpoolTarget.seeds().enumerated().map { ("spool-\($0.offset)", $0.element) },
        ]
        for name in FuzzTargets.names {
            let target = directory + "/" + name
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            for (index, (seed, bytes)) in (seeds[name] ?? []).enumerated() {
                let file = String(format: "%@/%03d-%@", target, index, seed.replacingOccurrences(of: "/", with: "_"))
                try Data(bytes).write(to: URL(fileURLWithPath: file))
            }
            print("\(name): \(seeds[name]?.count ?? 0) seeds")
        }
    }

    /// The inputs of the defects found so far (docs/proofs.md, Fuzzing), kept in the corpora.
    static let regressions = (
        terms: [
            // [[] | [[]]] with a LIST_EXT tail; a bitstring with bits set beyond its size.
            ("regression-list-tail", [131, 108, 0, 0, 0, 1, 106, 108, 0, 0, 0, 1, 106, 106] as [UInt8]),
            ("regression-bitstring", [131, 77, 0, 0, 0, 2, 5, 0xFF, 0x34]),
        ],
        config: [
            ("regression-net-ticktime.yml", Array("erlang:\n  net_ticktime: -99999999999999999\n".utf8)),
            ("regression-net-ticktime-huge.yml", Array("erlang:\n  net_ticktime: 99999999999999999\n".utf8)),
            // A YAML 1.1 base-60 integer that overflows: Yams's Int reading trapped on it.
            ("regression-base60.yml", Array("erlang:\n  net_ticktime: -99998999999:999999999989999999:99999\n".utf8)),
        ]
    )

    /// A config file whose secrets hold `Secrets.marker`, so that the target looks for them.
    static let configWithSecrets = """
        erlang:
          nodes: [ex_esdb@db-1, ex_esdb@db-2.example.internal]
          net_ticktime: 60
        metrics:
          ttl: 5m
        webhooks:
          spool_dir: /var/lib/exesdb_exporter
          endpoints:
            - name: ops
              url: https://hooks.example.com/Zq7xK-token-in-url
              format: json
              headers:
                X-Api-Key: Zq7xK-header-secret
              timeout: 5s
            - name: am
              url: http://127.0.0.1:9093/api/v2/alerts
              format: alertmanager
        """

    /// A web config whose hash and inline key hold `Secrets.marker`.
    static let webConfigWithSecrets = """
        tls_server_config:
          cert: |
            -----BEGIN CERTIFICATE-----
            MIIB
            -----END CERTIFICATE-----
          key: |
            -----BEGIN PRIVATE KEY-----
            Zq7xKprivate
            -----END PRIVATE KEY-----
          client_auth_type: RequireAndVerifyClientCert
          min_version: TLS12
        http_server_config:
          http2: true
        basic_auth_users:
          prometheus: $2y$10$Zq7xKAbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijk
        """
}
