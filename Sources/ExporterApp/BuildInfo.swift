import Foundation
import MetricsStore

/// What `exesdb_exporter_build_info` reports.
public enum BuildInfo {
    /// In the catalogue (docs/metrics.md).
    public static let family = FamilyDescriptor.info(
        "exesdb_exporter_build_info", help: "The exporter's version, revision and Swift version.",
        labels: ["version", "revision", "swift_version"], expires: false)

    /// Set by the build (scripts pass the git revision through EXESDB_EXPORTER_REVISION at run time
    /// when the binary was built from a checkout); "unknown" otherwise.
    public static var revision: String {
        ProcessInfo.processInfo.environment["EXESDB_EXPORTER_REVISION"] ?? "unknown"
    }

    public static var swiftVersion: String {
        #if compiler(>=6.4)
            "6.4+"
        #elseif compiler(>=6.3)
            "6.3"
        #elseif compiler(>=6.2)
            "6.2"
        #else
            "6.x"
        #endif
    }
}
