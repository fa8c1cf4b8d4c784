import Aggregation
import BEAMCollector
import ClusterSubscription
import ErlangDistribution
import ExporterHTTP
import ExporterLogging
import GaterMessages
import MetricsStore
import WebhookForwarder

/// The metric catalogue: the union of the families each module declares beside its code
/// (docs/metrics.md is its page, and a test holds the two together). Nothing here names a family.
public enum MetricCatalogue {
    /// The families registered at start, so each one is served (with its help, type and unit)
    /// before its first sample: what the messages become, and the families other modules update
    /// through swift-metrics (which would otherwise make them from the label alone). The config
    /// file's `metrics.buckets` override histogram buckets.
    public static func startFamilies(buckets: [String: [Double]] = [:]) -> [FamilyDescriptor] {
        let own =
            AggregationFamilies.families() + ClusterFamilies.all + DistributionFamilies.all + MessageFamilies.all
            + WebhookFamilies.all + HTTPFamilies.all + [StandardError.droppedLinesFamily, BuildInfo.family]
        return own.map { descriptor in
            guard descriptor.type == .histogram, let override = buckets[descriptor.name] else { return descriptor }
            var changed = descriptor
            changed.buckets = override
            return changed
        }
    }

    /// Every family the exporter may serve: those registered at start, the store's own and the
    /// process families (registered by the store), the reload outcome (by the reload service)
    /// and the BEAM collector's (when it runs).
    public static func families(
        buckets: [String: [Double]] = [:], settingNames: (StoreSetting) -> String = { "\($0)" }
    ) -> [FamilyDescriptor] {
        startFamilies(buckets: buckets) + StoreFamilies.all(settingNames: settingNames) + ReloadOutcomeFamilies.families
            + BEAMFamilies.descriptors
    }

    /// The names of the histogram families whose buckets the config file may set.
    public static var histogramNames: [String] { families().filter { $0.type == .histogram }.map(\.name) }

    /// Registers the start families. Fails only on bucket overrides that are not ascending and finite.
    public static func register(
        in store: MetricsStore, buckets: [String: [Double]] = [:]
    ) throws(FamilyRegistrationError) {
        for descriptor in startFamilies(buckets: buckets) { try store.register(descriptor) }
    }
}
