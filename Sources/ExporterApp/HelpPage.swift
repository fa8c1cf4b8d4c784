import Foundation

/// `exesdb_exporter --help`, laid out like the Prometheus exporters' (kingpin): usage, one
/// paragraph, then one line per flag of `Flags.all` with its default, then signals and exit status.
public enum HelpPage {
    static let description = """
        Prometheus exporter for ExESDB. Joins the ExESDB cluster from \(Flags.nodes.flag.dashed) as a hidden Erlang \
        node, follows the metrics, health and alerts buses on every node, verifies each message's \
        signature and serves what it learns at /metrics (Prometheus text and OpenMetrics). Every flag \
        can also be set in the YAML file given by \(Flags.configFile.flag.dashed): keys are the flags' words in snake \
        case under their prefix (\(Flags.listenAddress.flag.key), \(Flags.maxSeries.flag.key)); flags win over the file. \
        Secrets come from files or the environment (ERLANG_COOKIE, SECRET_KEY_BASE), never from \
        flags; ERL_EPMD_PORT is honoured.
        """

    static let notes = """
        Signals:
          SIGHUP           Reload the config file and the web config without dropping connections:
                           \(Flags.logLevel.flag.key), \(Flags.ttl.flag.key), \(Flags.maxSeries.flag.key) and the web config change at
                           once; other changed keys are logged as taking effect at the next restart.
                           POST /-/reload does the same (with \(Flags.enableLifecycle.flag.dashed)).
          SIGTERM, SIGINT  Leave the PubSub groups, finish the scrapes in flight, exit 0.

        Exit status:
          0  stopped by SIGTERM or SIGINT, or \(Flags.help.dashed), \(Flags.version.dashed), or \(Flags.configCheck.dashed) found nothing wrong
          1  failed while running (e.g. a listen address already in use)
          2  a setting cannot be used; the message names the flag or key, the value and what is expected
        """

    public static func render() -> String {
        let indent = "      "
        let width = Flags.all.map { $0.usage.count }.max() ?? 0
        let lines = Flags.all.map { flag in
            let prefix = flag.name == Flags.help.name ? "  -h, " : indent
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
