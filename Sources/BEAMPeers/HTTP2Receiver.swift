import Foundation

/// A real HTTP/2 server on loopback for webhook tests: Debian's hypercorn (`python3-hypercorn`,
/// h2 by ALPN over TLS, HTTP/1.1 otherwise) with a certificate from `TestCertificates`, running
/// a small ASGI app that answers 200 after `delay` and records each request: its HTTP version,
/// the client port of its TCP connection, and when it started and ended.
public final class HTTP2Receiver: Sendable {
    /// One request as the server saw it.
    public struct Request: Sendable, Decodable {
        public let path: String
        /// "1.1" or "2", as the ASGI scope gives it.
        public let httpVersion: String
        /// The client's port: requests with the same port came over the same TCP connection.
        public let clientPort: Int
        /// Unix seconds when the request's handling began and when its answer was sent.
        public let started: Double
        public let ended: Double
        public let idempotencyKey: String?

        enum CodingKeys: String, CodingKey {
            case path, started, ended
            case httpVersion = "http_version", clientPort = "client_port", idempotencyKey = "idempotency_key"
        }
    }

    public let port: Int
    private let directory: String
    private let process: BackgroundProcess

    public var url: String { "https://127.0.0.1:\(port)" }

    /// Starts hypercorn and waits until it listens.
    public init(certificates: TestCertificates, delay: Duration = .zero) async throws {
        let tool = "/usr/bin/hypercorn"
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw ErlangTools.Failure(
                description: "\(tool) not found: install Debian's python3-hypercorn (scripts/install-deps.sh test)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("exesdb-h2-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.application.write(toFile: "\(directory)/h2receiver.py", atomically: true, encoding: .utf8)
        port = ErlangTools.freePort()
        let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        process = try BackgroundProcess(
            tool,
            [
                "--certfile", certificates.serverCertificate, "--keyfile", certificates.serverKey,
                "--bind", "127.0.0.1:\(port)", "--workers", "1", "\(directory)/h2receiver.py:app",
            ],
            environment: ["H2_RECEIVER_LOG": "\(directory)/requests.jsonl", "H2_RECEIVER_DELAY": "\(seconds)"])
        // Python's start-up on a busy machine can take several seconds.
        try await process.waitForLine(containing: "Running on https://127.0.0.1:\(port)", timeout: .seconds(60))
    }

    /// The requests answered so far, in the order their answers were sent.
    public var requests: [Request] {
        guard let text = try? String(contentsOfFile: "\(directory)/requests.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONDecoder().decode(Request.self, from: Data($0.utf8))
        }
    }

    /// What hypercorn logged so far.
    public var log: [String] { process.lines }

    public func stop() { process.stopNow() }

    deinit {
        process.stopNow { [directory] in try? FileManager.default.removeItem(atPath: directory) }
    }

    static let application = """
        import asyncio, json, os, time

        LOG = os.environ["H2_RECEIVER_LOG"]
        DELAY = float(os.environ.get("H2_RECEIVER_DELAY", "0"))

        async def app(scope, receive, send):
            if scope["type"] == "lifespan":
                while True:
                    message = await receive()
                    if message["type"] == "lifespan.startup":
                        await send({"type": "lifespan.startup.complete"})
                    elif message["type"] == "lifespan.shutdown":
                        await send({"type": "lifespan.shutdown.complete"})
                        return
            started = time.time()
            while (await receive()).get("more_body"):
                pass
            await asyncio.sleep(DELAY)
            headers = {name.decode().lower(): value.decode() for name, value in scope["headers"]}
            record = {"path": scope["path"], "http_version": scope["http_version"],
                      "client_port": scope["client"][1], "started": started, "ended": time.time(),
                      "idempotency_key": headers.get("idempotency-key")}
            with open(LOG, "a") as log:
                log.write(json.dumps(record) + "\\n")
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"ok"})

        """
}
