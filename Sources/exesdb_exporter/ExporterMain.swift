import ArgumentParser
import ExporterApp
import ExporterLogging
import Foundation

/// `exesdb_exporter`: parses the command line, checks or resolves the settings, then runs the
/// exporter until SIGTERM or SIGINT (SIGHUP reloads). Everything but the wiring is in ExporterApp.
@main
enum Main {
    static func main() async {
        let command = ExporterCommand.parseOrExit(Array(CommandLine.arguments.dropFirst()))
        let environment = ProcessInfo.processInfo.environment
        if command.configCheck {
            let problems = command.problems(environment: environment)
            print(problems.isEmpty ? "ok" : problems.map { "exesdb_exporter: \($0)" }.joined(separator: "\n"))
            ExporterCommand.exit(withError: ExitCode(problems.isEmpty ? 0 : 2))
        }
        let settings: ExporterSettings
        do {
            settings = try command.resolve(environment: environment)
        } catch {
            // A misconfiguration names what is wrong and exits before binding or connecting anything.
            StandardError.write("exesdb_exporter: \(error)")
            ExporterCommand.exit(withError: ExitCode(2))
        }
        do {
            try await Exporter(settings: settings, version: ExporterCommand.version) {
                try command.resolve(environment: environment)
            }.run()
        } catch {
            ExporterCommand.exit(withError: error)
        }
        ExporterCommand.exit()
    }
}
