import BEAMPeers
import Foundation

/// One HTTP exchange made with the `curl` command-line tool.
struct CurlResponse {
    let status: Int
    /// Header names lowercased; the last value of a repeated header.
    let headers: [String: String]
    let body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

struct CurlFailure: Error, CustomStringConvertible {
    let exitCode: Int32
    let output: String
    var description: String { "curl exited with \(exitCode): \(output)" }
}

/// Runs `curl` with `arguments` and the URL; the body is kept as raw bytes (no decompression).
/// (curl runs off the cooperative pool, which the server under test needs to answer it.)
func curl(_ url: String, _ arguments: [String] = []) async throws -> CurlResponse {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let result = try await ErlangTools.run(
        "curl",
        ["-sS", "--max-time", "60", "-o", "\(directory)/body", "-D", "\(directory)/headers", "-w", "%{http_code}"]
            + arguments + [url])
    guard result.status == 0 else { throw CurlFailure(exitCode: result.status, output: result.output) }
    let headerText = (try? String(contentsOfFile: "\(directory)/headers", encoding: .utf8)) ?? ""
    var headers: [String: String] = [:]
    for line in headerText.split(whereSeparator: \.isNewline) {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let body = FileManager.default.contents(atPath: "\(directory)/body").map(Array.init) ?? []
    return CurlResponse(status: Int(result.output.suffix(3)) ?? 0, headers: headers, body: body)
}

/// gunzip through the `gzip` command-line tool, so that the check does not share our zlib code.
func gunzip(_ bytes: [UInt8]) async throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gz-\(UUID().uuidString).gz").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = try await ErlangTools.run("gzip", ["-dc", path])
    guard result.status == 0 else { throw CurlFailure(exitCode: result.status, output: result.output) }
    return result.output
}
