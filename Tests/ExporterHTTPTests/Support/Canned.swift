import ExporterHTTP
import MetricsStore
import Synchronization

/// A valid exposition in both formats (a counter and a gauge), as the MetricsStore would render.
enum CannedExposition {
    static let prometheusText = """
        # HELP exesdb_alert_acks_total Alert acknowledgements received.
        # TYPE exesdb_alert_acks_total counter
        exesdb_alert_acks_total 42
        # HELP exesdb_node_load_average Load average reported by the node.
        # TYPE exesdb_node_load_average gauge
        exesdb_node_load_average{node="ex_esdb@host-1"} 1.5

        """

    static let openMetrics = """
        # HELP exesdb_alert_acks Alert acknowledgements received.
        # TYPE exesdb_alert_acks counter
        exesdb_alert_acks_total 42
        exesdb_alert_acks_created 1.7e+09
        # HELP exesdb_node_load_average Load average reported by the node.
        # TYPE exesdb_node_load_average gauge
        exesdb_node_load_average{node="ex_esdb@host-1"} 1.5
        # EOF

        """

    static func body(_ format: ExpositionFormat) -> String {
        format == .openMetrics ? openMetrics : prometheusText
    }
}

/// Sources with canned bodies; readiness and the landing page's status can be changed.
final class CannedSources: Sendable {
    private let state = Mutex((ready: true, status: LandingPageStatus(version: "1.2.3-test")))

    var ready: Bool {
        get { state.withLock { $0.ready } }
        set { state.withLock { $0.ready = newValue } }
    }

    var status: LandingPageStatus {
        get { state.withLock { $0.status } }
        set { state.withLock { $0.status = newValue } }
    }

    /// `render` runs on NIO's thread pool, where a test may block it.
    func sources(
        render: (@Sendable (ExpositionFormat) -> [UInt8])? = nil,
        reload: @escaping @Sendable () async throws -> Void = {}
    ) -> ExporterHTTPSources {
        ExporterHTTPSources(
            render: render ?? { Array(CannedExposition.body($0).utf8) },
            status: { self.status },
            readiness: { self.ready ? .ready : .notReady("not ready") }, reload: reload)
    }
}
