import BEAMCollector
import ErlangDistribution
import ExporterConfiguration
import ExporterHTTP
import GaterMessages
import MetricsStore
import PhoenixPubSub
import WebhookForwarder

/// The one mapping from the settings the modules name in their messages, by their own names
/// (`DistributionSetting.maxFrameSize`), to the flags that set them (`--erlang.max-frame-size`).
/// What the exporter shows passes through `userWords`: standard error, every log line, reload's
/// answer and readiness; the store's help texts and the HTTP server's own answers take the flags
/// through `flag(for:)`. A module setting without a flag here does not compile.
public enum SettingNames {
    public static func flag(for setting: DistributionSetting) -> FlagDescriptor {
        switch setting {
        case .peers: Flags.nodes.flag
        case .localName: Flags.name.flag
        case .cookieFile: Flags.cookieFile.flag
        case .maxFrameSize: Flags.maxFrameSize.flag
        }
    }

    public static func flag(for setting: ExporterHTTPSetting) -> FlagDescriptor {
        switch setting {
        case .listenAddresses: Flags.listenAddress.flag
        case .telemetryPath: Flags.telemetryPath.flag
        case .webConfigFile: Flags.webConfigFile.flag
        case .readHeaderTimeout: Flags.readHeaderTimeout.flag
        case .idleTimeout: Flags.idleTimeout.flag
        case .maxConnections: Flags.maxConnections.flag
        case .enableLifecycle: Flags.enableLifecycle.flag
        }
    }

    public static func flag(for setting: StoreSetting) -> FlagDescriptor {
        switch setting {
        case .ttl: Flags.ttl.flag
        case .maxSeries: Flags.maxSeries.flag
        }
    }

    public static func flag(for setting: BEAMCollectorSetting) -> FlagDescriptor {
        switch setting {
        case .enabled: Flags.beam.flag
        case .timeout: Flags.beamTimeout.flag
        }
    }

    public static func flag(for setting: PubSubSetting) -> FlagDescriptor {
        switch setting {
        case .scope: Flags.scope.flag
        }
    }

    public static func flag(for setting: GaterSetting) -> FlagDescriptor {
        switch setting {
        case .secret: Flags.secretKeyBaseFile.flag
        case .buses: Flags.buses.flag
        }
    }

    public static func flag(for setting: WebhookSetting) -> FlagDescriptor {
        switch setting {
        case .spoolDirectory: Flags.spoolDirectory.flag
        }
    }

    public static func flag(for setting: ConfigFileSetting) -> FlagDescriptor {
        switch setting {
        case .path: Flags.configFile.flag
        }
    }

    /// Each module setting's own name with the flag that sets it, the longest names first (no
    /// name is part of another today; this keeps it so if one ever is).
    static let words: [(own: String, flag: String)] = {
        func pairs<Setting: CaseIterable & CustomStringConvertible>(
            _: Setting.Type, _ flag: (Setting) -> FlagDescriptor
        ) -> [(own: String, flag: String)] {
            Setting.allCases.map { ("\($0)", flag($0).dashed) }
        }
        let all =
            pairs(DistributionSetting.self, flag) + pairs(ExporterHTTPSetting.self, flag)
            + pairs(StoreSetting.self, flag) + pairs(BEAMCollectorSetting.self, flag)
            + pairs(PubSubSetting.self, flag) + pairs(GaterSetting.self, flag) + pairs(ConfigFileSetting.self, flag)
            + pairs(WebhookSetting.self, flag)
        return all.sorted { $0.own.count > $1.own.count }
    }()

    /// `text` with each module setting it names written as the flag that sets it.
    public static func userWords(_ text: String) -> String {
        // Every module's names end their type's name in "Setting.": most lines hold none.
        guard text.contains("Setting.") else { return text }
        return words.reduce(text) { text, word in text.replacingOccurrences(of: word.own, with: word.flag) }
    }
}
