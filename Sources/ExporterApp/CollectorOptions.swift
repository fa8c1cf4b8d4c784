import ArgumentParser
import BEAMCollector
import ExporterConfiguration

/// The `--collector.*` flags, over the config file's `collector` section.
struct CollectorOptions: ParsableArguments {
    @Flag(name: .customLong("collector.beam"), inversion: .prefixedNo, help: HelpPage.help("collector.beam"))
    var beam: Bool?

    @Option(name: .customLong("collector.beam.interval"), help: HelpPage.help("collector.beam.interval"))
    var beamInterval: String?

    @Option(name: .customLong("collector.beam.timeout"), help: HelpPage.help("collector.beam.timeout"))
    var beamTimeout: String?

    func resolve(file: ExporterFileSettings) throws -> BEAMCollectorConfiguration? {
        try Self.resolve(beam: beam, interval: beamInterval, timeout: beamTimeout, file: file.collector?.beam)
    }

    /// The BEAM collector's settings, flags over the file; nil when it is off.
    static func resolve(
        beam: Bool?, interval: String?, timeout: String?, file: ExporterFileSettings.Collector.BEAM?
    ) throws -> BEAMCollectorConfiguration? {
        let defaults = BEAMCollectorConfiguration()
        let every = try SettingError.duration(
            interval, file: file?.interval?.duration, fallback: defaults.interval, atLeast: .seconds(1),
            flag: "collector.beam.interval")
        let wait = try SettingError.duration(
            timeout, file: file?.timeout?.duration, fallback: defaults.timeout, atLeast: .milliseconds(100),
            flag: "collector.beam.timeout")
        guard beam ?? file?.enabled ?? true else { return nil }
        return BEAMCollectorConfiguration(interval: every, timeout: wait)
    }
}
