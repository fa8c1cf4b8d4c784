import ArgumentParser
import BEAMCollector
import ExporterConfiguration

/// The `--collector.*` flags, over the config file's `collector` section.
struct CollectorOptions: ParsableArguments {
    @Flag(name: Flags.beam.flag.long, inversion: .prefixedNo, help: Flags.beam.flag.help)
    var beam: Bool?

    @Option(name: Flags.beamInterval.flag.long, help: Flags.beamInterval.flag.help)
    var beamInterval: String?

    @Option(name: Flags.beamTimeout.flag.long, help: Flags.beamTimeout.flag.help)
    var beamTimeout: String?

    func resolve(file: ExporterFileSettings) throws -> BEAMCollectorConfiguration? {
        try Self.resolve(beam: beam, interval: beamInterval, timeout: beamTimeout, file: file.collector?.beam)
    }

    /// The BEAM collector's settings, flags over the file; nil when it is off.
    static func resolve(
        beam: Bool?, interval: String?, timeout: String?, file: ExporterFileSettings.Collector.BEAM?
    ) throws -> BEAMCollectorConfiguration? {
        let every = try Flags.beamInterval.resolve(interval, file: file?.interval?.duration)
        let wait = try Flags.beamTimeout.resolve(timeout, file: file?.timeout?.duration)
        guard Flags.beam.resolve(beam, file: file?.enabled) else { return nil }
        return BEAMCollectorConfiguration(interval: every, timeout: wait)
    }
}
