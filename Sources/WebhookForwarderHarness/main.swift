// Test support, not shipped: the real WebhookForwarder module as a process of its own, so the
// tests can kill -9 it and start it again on the same spool (the exporter wires the same module
// into its ingest path; this process leaves out the cluster, so the tests feed it directly).
//
//   WebhookForwarderHarness [--no-wait-for-sync] <config.json> [<messages.jsonl>]
//
// The configuration is the `webhooks:` section as JSON. The messages file (standard input when
// not given) has one message a line:
//   {"alert": {"alert_id": "a1", "severity": "critical", "category": "network", "title": "...",
//              "description": "...", "node": "ex_esdb@host-1"}}
//   {"escalation": {"alert_id": "a1", "from_level": "level1", "to_level": "level2",
//                   "reason": "...", "contacts": ["ops@example.com"]}}
//   {"ack": {"alert_id": "a1", "by": "oncall"}}
// It prints `ready` once the spool is open, `running` once SIGTERM stops it gracefully, then
// `accepted N` each time an escalation is on disk (N counts them), or `outcome ...` otherwise,
// and `pending N` whenever the number of deliveries not yet completed changes.
//
// --no-wait-for-sync feeds as the exporter's ingest path does (`durably: false`: it does not
// wait for the spool's sync). Each escalation then prints `queued N` at once, and `spooled N`
// is printed once the first N escalations are on disk (`waitUntilSpooled`), never before.
//
// WEBHOOK_HARNESS_MAX_FILE_BYTES limits the size of the files it writes (RLIMIT_FSIZE), so that
// tests see the spool fail as on a full disk.
import ExporterConfiguration
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
var arguments = Array(CommandLine.arguments.dropFirst())
let waitsForSync = !arguments.contains("--no-wait-for-sync")
arguments.removeAll { $0 == "--no-wait-for-sync" }
guard (1...2).contains(arguments.count), let data = FileManager.default.contents(atPath: arguments[0]) else {
    FileHandle.standardError.write(
        Data("usage: WebhookForwarderHarness [--no-wait-for-sync] <config.json> [<messages.jsonl>]\n".utf8))
    exit(2)
}
do {
    let configuration = try JSONDecoder().decode(WebhookConfiguration.self, from: data)
    let forwarder = try WebhookForwarder(configuration: configuration, logger: logger)
    say("ready")
    let feeder = MessageFeeder(
        forwarder: forwarder, intake: MessageIntake(secret: nil, logger: logger), input: arguments.dropFirst().first,
        waitsForSync: waitsForSync)
    let group = ServiceGroup(
        configuration: .init(
            services: [
                .init(service: forwarder),
                .init(service: feeder, successTerminationBehavior: .ignore),
                .init(service: QueueReporter(forwarder: forwarder)),
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
