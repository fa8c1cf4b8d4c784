// Test support, not shipped: the real WebhookForwarder module as a process of its own, so the
// tests can kill -9 it and start it again on the same spool (the exporter executable does not
// wire the forwarder yet).
//
//   WebhookForwarderHarness <config.json> [<messages.jsonl>]
//
// The configuration is the `webhooks:` section as JSON. The messages file (standard input when
// not given) has one message a line:
//   {"alert": {"alert_id": "a1", "severity": "critical", "category": "network", "title": "...",
//              "description": "...", "node": "ex_esdb@host-1"}}
//   {"escalation": {"alert_id": "a1", "from_level": "level1", "to_level": "level2",
//                   "reason": "...", "contacts": ["ops@example.com"]}}
//   {"ack": {"alert_id": "a1", "by": "oncall"}}
// It prints `ready` once the spool is open, `running` once SIGTERM stops it gracefully, then
// `accepted N` each time an escalation is on disk (N counts them), or `outcome ...` otherwise.
// WEBHOOK_HARNESS_MAX_FILE_BYTES limits the size of the files it writes (RLIMIT_FSIZE), so that
// tests see the spool fail as on a full disk.
import Foundation
import GaterMessages
import Logging
import ServiceLifecycle
import WebhookForwarder

LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
let logger = Logger(label: "webhook-harness")
if let limit = ProcessInfo.processInfo.environment["WEBHOOK_HARNESS_MAX_FILE_BYTES"].flatMap(Int.init) {
    // A write past the limit then fails with EFBIG instead of killing the process.
    signal(SIGXFSZ, SIG_IGN)
    var bytes = rlimit(rlim_cur: rlim_t(limit), rlim_max: rlim_t(limit))
    setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &bytes)
}
let arguments = CommandLine.arguments.dropFirst()
guard (1...2).contains(arguments.count), let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: WebhookForwarderHarness <config.json> [<messages.jsonl>]\n".utf8))
    exit(2)
}
do {
    let configuration = try JSONDecoder().decode(WebhookConfiguration.self, from: data)
    let forwarder = try WebhookForwarder(configuration: configuration, logger: logger)
    say("ready")
    let feeder = MessageFeeder(
        forwarder: forwarder, intake: MessageIntake(secret: nil, logger: logger), input: arguments.dropFirst().first)
    let group = ServiceGroup(
        configuration: .init(
            services: [
                .init(service: forwarder),
                .init(service: feeder, successTerminationBehavior: .ignore),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
} catch let error as DecodingError {
    FileHandle.standardError.write(Data("\(error.configurationMessage())\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}

/// One line on standard output, unbuffered: the tests wait for these lines.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
