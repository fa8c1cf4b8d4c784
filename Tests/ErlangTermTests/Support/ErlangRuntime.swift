import BEAMPeers
import Foundation

/// The codec tests' BEAM: the fixtures beside this file, compiled once per test run.
enum ErlangRuntime {
    static let fixtures = Task<ErlangFixtures, any Error> {
        try await ErlangFixtures(
            sourceDirectory: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures").path)
    }

    static func eval(_ expression: String) async throws -> String {
        try await fixtures.value.eval(expression)
    }

    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("exesdb-\(UUID().uuidString)-\(name)")
    }
}

/// Length-prefixed records as the Erlang fixture reads and writes them.
struct RecordReader {
    private let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }

    mutating func u8() -> Int {
        defer { position += 1 }
        return Int(bytes[position])
    }

    mutating func u16() -> Int { u8() << 8 | u8() }

    mutating func u32() -> Int { u16() << 16 | u16() }

    mutating func take(_ count: Int) -> [UInt8] {
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: Int, bytes: Int) {
        for shift in stride(from: (bytes - 1) * 8, through: 0, by: -8) {
            append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }
}
