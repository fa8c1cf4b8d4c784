import Aggregation
import ExporterHTTP
import MetricsStore
import WebhookForwarder

/// `--config.check`: everything the exporter would refuse at start (flags, the config file, the
/// web config with its certificates, the cookie, the secret and the webhooks' secret files,
/// bucket overrides), found without binding a port, connecting a node or opening the spool.
public enum ConfigCheck {
    /// What is wrong, each in the words a start would use; empty when nothing is.
    static func problems(
        configFile: String?, serving: ServingOptions, erlang: ErlangOptions, subscription: SubscriptionOptions,
        collectors: CollectorOptions, environment: [String: String]
    ) -> [String] {
        let settings: ExporterSettings
        do {
            settings = try ExporterSettings.resolve(
                configFile: configFile, serving: serving, erlang: erlang, subscription: subscription,
                collectors: collectors, environment: environment)
        } catch {
            return ["\(error)"]
        }
        var problems: [String] = []
        do {
            try ExporterHTTPServer.check(settings.serving.http)
        } catch {
            problems.append("\(error)")
        }
        do {
            try settings.webhooks.map(WebhookForwarder.check)
        } catch {
            problems.append("\(error)")
        }
        if let problem = bucketProblem(settings.serving.buckets) { problems.append(problem) }
        return problems
    }

    /// Bucket overrides of families that are not histograms of the catalogue.
    public static func bucketProblem(_ buckets: [String: [Double]]) -> String? {
        let histograms = Set(MetricCatalogue.histogramNames)
        guard let name = buckets.keys.sorted().first(where: { !histograms.contains($0) }) else { return nil }
        return
            "\(FileOnlyKey.buckets).\(name): not a histogram of the catalogue (\(histograms.sorted().joined(separator: ", ")))"
    }
}
