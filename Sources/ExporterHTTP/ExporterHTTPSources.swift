import MetricsStore

/// One ExESDB node as the landing page shows it.
public struct PeerStatus: Sendable, Equatable {
    public var name: String
    public var buses: [String]
    public var connected: Bool
    /// Seconds since the last message from this node; nil when none arrived yet.
    public var lastMessageAgeSeconds: Double?
    /// Seconds since the last message on each bus that has delivered one from this node: a bus
    /// without an entry has sent nothing yet (its PubSub server may not run on that node).
    public var lastMessageAgeByBus: [String: Double]
    /// Why the last connection attempt failed or the connection ended (`cookie_mismatch`,
    /// `epmd_unreachable`, ...), while it is not connected.
    public var lastError: String?
    /// Messages from this node rejected so far, by reason.
    public var rejected: [String: Int]

    public init(
        name: String, buses: [String], connected: Bool, lastMessageAgeSeconds: Double?,
        lastMessageAgeByBus: [String: Double] = [:], lastError: String? = nil, rejected: [String: Int] = [:]
    ) {
        self.name = name
        self.buses = buses
        self.connected = connected
        self.lastMessageAgeSeconds = lastMessageAgeSeconds
        self.lastMessageAgeByBus = lastMessageAgeByBus
        self.lastError = lastError
        self.rejected = rejected
    }
}

/// One webhook endpoint's queue as the landing page shows it.
public struct WebhookQueueStatus: Sendable, Equatable {
    public var endpoint: String
    public var length: Int
    /// Seconds the oldest pending delivery has waited; nil when the queue is empty.
    public var oldestPendingAgeSeconds: Double?

    public init(endpoint: String, length: Int, oldestPendingAgeSeconds: Double?) {
        self.endpoint = endpoint
        self.length = length
        self.oldestPendingAgeSeconds = oldestPendingAgeSeconds
    }
}

/// What the landing page shows besides its links (the telemetry path comes from the server's
/// own configuration).
public struct LandingPageStatus: Sendable, Equatable {
    public var version: String
    public var peers: [PeerStatus]
    public var webhookQueues: [WebhookQueueStatus]

    public init(version: String, peers: [PeerStatus] = [], webhookQueues: [WebhookQueueStatus] = []) {
        self.version = version
        self.peers = peers
        self.webhookQueues = webhookQueues
    }
}

/// What `/-/ready` answers: 200, or 503 with the reason in the body.
public enum Readiness: Sendable, Equatable {
    case ready
    case notReady(String)
}

/// Where the server gets what it serves: it depends on no other module of the exporter.
public struct ExporterHTTPSources: Sendable {
    /// The exposition body in `format`, uncompressed. Called on a thread of NIO's thread pool,
    /// never on an event loop or Swift's task pool, so it may take the time a large store needs.
    public var render: @Sendable (ExpositionFormat) -> [UInt8]
    /// The landing page's content.
    public var status: @Sendable () -> LandingPageStatus
    /// What `/-/ready` answers.
    public var readiness: @Sendable () -> Readiness
    /// What `POST /-/reload` does (with `--web.enable-lifecycle`): what SIGHUP does; throws what
    /// could not be reloaded.
    public var reload: @Sendable () async throws -> Void
    /// How the server's own answers name its settings (`POST /-/reload` refused without the
    /// lifecycle setting): by default this module's names, else the application's (its flags).
    public var settingNames: @Sendable (ExporterHTTPSetting) -> String

    public init(
        render: @escaping @Sendable (ExpositionFormat) -> [UInt8],
        status: @escaping @Sendable () -> LandingPageStatus,
        readiness: @escaping @Sendable () -> Readiness,
        reload: @escaping @Sendable () async throws -> Void = {},
        settingNames: @escaping @Sendable (ExporterHTTPSetting) -> String = { "\($0)" }
    ) {
        self.render = render
        self.status = status
        self.readiness = readiness
        self.reload = reload
        self.settingNames = settingNames
    }

    /// Ready when `isReady` says so, with no reason otherwise.
    public init(
        render: @escaping @Sendable (ExpositionFormat) -> [UInt8],
        status: @escaping @Sendable () -> LandingPageStatus,
        isReady: @escaping @Sendable () -> Bool
    ) {
        self.init(render: render, status: status, readiness: { isReady() ? .ready : .notReady("not ready") })
    }
}
