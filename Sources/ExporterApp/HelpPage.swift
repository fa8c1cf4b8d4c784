import ArgumentParser
import Foundation

/// `exesdb_exporter --help`, laid out like the Prometheus exporters' (kingpin): usage, one
/// paragraph, then one line per flag with its default, then signals and exit status. The flags'
/// help texts live here only; the option declarations take theirs from `help(_:)`.
enum HelpPage {
    /// One flag as the help page shows it.
    struct Flag {
        let name: String
        /// The default or a placeholder, as shown after `=`; nil for an on/off flag.
        let value: String?
        /// An on/off flag that also has a `--no-` form, to turn off what the config file turns on.
        let negatable: Bool
        let repeatable: Bool
        /// What a value must be, for error messages ("a duration like 5m").
        let expected: String
        let text: String

        init(
            _ name: String, _ value: String?, negatable: Bool = true, repeatable: Bool = false, expected: String = "",
            _ text: String
        ) {
            self.name = name
            self.value = value
            self.negatable = negatable
            self.repeatable = repeatable
            self.expected = expected
            self.text = text
        }

        /// `--web.listen-address=:9571 ...` or `--[no-]erlang.listen`.
        var usage: String {
            guard let value else { return negatable ? "--[no-]\(name)" : "--\(name)" }
            return "--\(name)=\(value)" + (repeatable ? " ..." : "")
        }
    }

    static let description = """
        Prometheus exporter for ExESDB. Joins the ExESDB cluster from --erlang.nodes as a hidden Erlang \
        node, follows the metrics, health and alerts buses on every node, verifies each message's \
        signature and serves what it learns at /metrics (Prometheus text and OpenMetrics). Every flag \
        can also be set in the YAML file given by --config.file: keys are the flags' words in snake \
        case under their prefix (web.listen_address, metrics.max_series); flags win over the file. \
        Secrets come from files or the environment (ERLANG_COOKIE, SECRET_KEY_BASE), never from \
        flags; ERL_EPMD_PORT is honoured.
        """

    static let flags: [Flag] = [
        Flag("help", nil, negatable: false, "Show this help."),
        Flag("version", nil, negatable: false, "Show the version."),
        Flag(
            "config.file", #""""#, expected: "a path",
            "YAML configuration file (the flags' settings, webhooks, buckets)."),
        Flag(
            "config.check", nil, negatable: false,
            "Check the config file, the web config and the secret files they name, print what is wrong or \"ok\" and exit 2 or 0; nothing is bound or connected."
        ),
        Flag(
            "web.listen-address", ":9571", repeatable: true, expected: "host:port, :port or [IPv6]:port",
            "Address to serve on, host:port or :port."),
        Flag("web.telemetry-path", #""/metrics""#, expected: "a path like /metrics", "Path of the exposition."),
        Flag(
            "web.config.file", #""""#, expected: "a path",
            "Web configuration file (exporter-toolkit format): TLS and basic authentication."),
        Flag(
            "web.read-header-timeout", "10s", expected: "a duration like 10s, at least 100ms",
            "How long a client may take to send a whole request (from its first byte); then its connection is closed."),
        Flag(
            "web.idle-timeout", "60s", expected: "a duration like 60s, at least 100ms",
            "How long a kept-alive connection may wait for its next request."),
        Flag(
            "web.max-connections", "1024", expected: "a whole number of at least 1",
            "Open HTTP connections at most; one more is closed at once (and counted)."),
        Flag(
            "web.enable-lifecycle", nil,
            "Serve POST /-/reload, which reloads the configuration as SIGHUP does. Default: off."),
        Flag(
            "log.level", "info", expected: "trace, debug, info, warning or error",
            "Only log records at this level or above: trace, debug, info, warning, error."),
        Flag(
            "log.format", "logfmt", expected: "logfmt or json", "Format of log lines on standard error: logfmt, json."),
        Flag(
            "metrics.ttl", "5m", expected: "a duration like 5m",
            "Remove ExESDB series not updated for this long (exporter and process series stay)."),
        Flag(
            "metrics.max-series", "100000", expected: "a whole number of at least 1",
            "Drop (and count) new series beyond this many live ones."),
        Flag(
            "erlang.nodes", "NAME@HOST", repeatable: true, expected: "an ExESDB node name like ex_esdb@host-1",
            "An ExESDB node to join (at least one); the rest of the cluster is discovered."),
        Flag(
            "erlang.name", "NAME@HOST", expected: "a node name like exesdb_exporter@host-1",
            "This node's name. Default: exesdb_exporter_<random>@<this host>, short or long like the nodes."),
        Flag(
            "erlang.cookie-file", #""""#, expected: "a path",
            "The cluster's cookie, readable by its owner only. Default: ERLANG_COOKIE, else ~/.erlang.cookie."),
        Flag(
            "erlang.net-ticktime", "60s", expected: "seconds or a duration like 60s",
            "Erlang's net_ticktime: a silent node is declared dead after it."),
        Flag(
            "erlang.max-frame-size", "67108864", expected: "a number of bytes, at least 1024",
            "Largest distribution frame accepted, in bytes."),
        Flag("erlang.listen", nil, "Also register in EPMD and accept connections from the nodes. Default: off."),
        Flag(
            "erlang.tls.ca-file", #""""#, expected: "a path",
            "Use TLS distribution (-proto_dist inet_tls), trusting this CA."),
        Flag("erlang.tls.cert-file", #""""#, expected: "a path", "Our certificate for TLS distribution."),
        Flag("erlang.tls.key-file", #""""#, expected: "a path", "The key of --erlang.tls.cert-file."),
        Flag(
            "erlang.tls.insecure-skip-verify", nil,
            "Do not verify the nodes' certificates (logs a warning; for tests only). Default: off."),
        Flag(
            "pubsub.buses", "ex_esdb_metrics", repeatable: true, expected: "a Phoenix.PubSub server name",
            "A Phoenix.PubSub server to follow. Default: ex_esdb_metrics, ex_esdb_health, ex_esdb_alerts."),
        Flag(
            "pubsub.all-buses", nil,
            "Follow all nine ExESDBGater buses (system, health, metrics, lifecycle, alerts, audit, diagnostics, "
                + "security, logging), with any other --pubsub.buses. Default: off."),
        Flag(
            "pubsub.topics", "BUS:TOPIC", repeatable: true, expected: "bus:topic",
            "Only deliver this topic of this bus. Default: every topic."),
        Flag(
            "pubsub.pool-size", "1", expected: "a whole number from 1 to 64",
            "The buses' PubSub pool size; every group of the pool is joined."),
        Flag(
            "pubsub.scope", #""Elixir.Phoenix.PubSub""#, expected: "an atom's text, at most 255 characters",
            "The pg scope the PubSub servers run (Phoenix.PubSub's own unless the application changed it)."),
        Flag(
            "cluster.discover", nil,
            "Find the cluster's other nodes through the seeds (erlang:nodes/0 over rex). Default: on."),
        Flag(
            "cluster.shard", #""0/1""#, expected: "i/n with 0 <= i < n",
            "Follow only the nodes whose name hashes to shard i of n."),
        Flag(
            "cluster.refresh-interval", "30s", expected: "a duration like 30s, at least 1s",
            "How often every connected node is asked for its node list, to find the nodes that joined."),
        Flag(
            "security.secret-key-base-file", #""""#, expected: "a path",
            "The publishers' SECRET_KEY_BASE, in a file. Default: the SECRET_KEY_BASE environment variable."),
        Flag(
            "webhook.spool-dir", #""""#, expected: "a directory path",
            "Directory of the webhook spool. Default: webhooks.spool_dir in --config.file."),
        Flag(
            "collector.beam", nil,
            "Read each followed node's VM (memory, limits, schedulers, statistics, applications) over rex. Default: on."
        ),
        Flag(
            "collector.beam.interval", "15s", expected: "a duration like 15s, at least 1s",
            "How often each node's VM is read."),
        Flag(
            "collector.beam.timeout", "5s", expected: "a duration like 5s, at least 100ms",
            "How long one VM read may take; a node that does not answer is counted and asked nothing more until it does."
        ),
    ]

    static let notes = """
        Signals:
          SIGHUP           Reload the config file and the web config without dropping connections:
                           log.level, metrics.ttl, metrics.max_series and the web config change at
                           once; other changed keys are logged as taking effect at the next restart.
                           POST /-/reload does the same (with --web.enable-lifecycle).
          SIGTERM, SIGINT  Leave the PubSub groups, finish the scrapes in flight, exit 0.

        Exit status:
          0  stopped by SIGTERM or SIGINT, or --help, --version, or --config.check found nothing wrong
          1  failed while running (e.g. a listen address already in use)
          2  a setting cannot be used; the message names the flag or key, the value and what is expected
        """

    /// The help text of `--name`, for its option declaration.
    static func help(_ name: String) -> ArgumentHelp { ArgumentHelp(flag(name)?.text ?? "") }

    static func flag(_ name: String) -> Flag? { flags.first { $0.name == name } }

    static func render() -> String {
        let indent = "      "
        let width = flags.map { $0.usage.count }.max() ?? 0
        let lines = flags.map { flag in
            let prefix = flag.name == "help" ? "  -h, " : indent
            return prefix + flag.usage.padding(toLength: width + 2, withPad: " ", startingAt: 0) + flag.text
        }
        return """
            usage: exesdb_exporter [<flags>]

            \(wrapped(description, width: 100))

            Flags:
            \(lines.joined(separator: "\n"))

            \(notes)

            """
    }

    /// `text` broken into lines of at most `width` characters at spaces.
    static func wrapped(_ text: String, width: Int) -> String {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        return (lines + [line]).joined(separator: "\n")
    }
}
