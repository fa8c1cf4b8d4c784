/// How log lines are written (`--log.format`), as the Prometheus exporters write them.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `ts=... level=info source=... msg="..." key=value`
    case logfmt
    /// One JSON object per line.
    case json
}
