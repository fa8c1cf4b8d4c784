/// The config file's shape (README, Configuration): keys are the flags' words in snake case, and
/// flags override the file. Every section refuses keys it does not know. The `webhooks` section
/// belongs to the webhook forwarder, which decodes it itself (`ConfigFile.section`).
public struct ExporterFileSettings: Decodable, Sendable, Equatable {
    public var web: Web?
    public var log: Log?
    public var erlang: Erlang?
    public var pubsub: PubSub?
    public var cluster: Cluster?
    public var security: Security?
    public var metrics: Metrics?
    public var collector: Collector?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case web, log, erlang, pubsub, cluster, security, metrics, webhooks, collector
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        web = try container.decodeIfPresent(Web.self, forKey: .web)
        log = try container.decodeIfPresent(Log.self, forKey: .log)
        erlang = try container.decodeIfPresent(Erlang.self, forKey: .erlang)
        pubsub = try container.decodeIfPresent(PubSub.self, forKey: .pubsub)
        cluster = try container.decodeIfPresent(Cluster.self, forKey: .cluster)
        security = try container.decodeIfPresent(Security.self, forKey: .security)
        metrics = try container.decodeIfPresent(Metrics.self, forKey: .metrics)
        collector = try container.decodeIfPresent(Collector.self, forKey: .collector)
    }

    public struct Web: Decodable, Sendable, Equatable {
        /// One address or a list.
        public var listenAddress: [String]?
        public var telemetryPath: String?
        public var configFile: String?
        public var readHeaderTimeout: ConfigDuration?
        public var idleTimeout: ConfigDuration?
        public var maxConnections: Int?
        public var enableLifecycle: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case listenAddress = "listen_address", telemetryPath = "telemetry_path", configFile = "config_file"
            case readHeaderTimeout = "read_header_timeout", idleTimeout = "idle_timeout"
            case maxConnections = "max_connections", enableLifecycle = "enable_lifecycle"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let one = try? container.decodeIfPresent(String.self, forKey: .listenAddress) {
                listenAddress = [one]
            } else {
                listenAddress = try container.decodeIfPresent([String].self, forKey: .listenAddress)
            }
            telemetryPath = try container.decodeIfPresent(String.self, forKey: .telemetryPath)
            configFile = try container.decodeIfPresent(String.self, forKey: .configFile)
            readHeaderTimeout = try container.decodeIfPresent(ConfigDuration.self, forKey: .readHeaderTimeout)
            idleTimeout = try container.decodeIfPresent(ConfigDuration.self, forKey: .idleTimeout)
            maxConnections = try container.decodeInteger(forKey: .maxConnections)
            enableLifecycle = try container.decodeIfPresent(Bool.self, forKey: .enableLifecycle)
        }
    }

    public struct Log: Decodable, Sendable, Equatable {
        public var level: String?
        public var format: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case level, format }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            level = try container.decodeIfPresent(String.self, forKey: .level)
            format = try container.decodeIfPresent(String.self, forKey: .format)
        }
    }

    public struct Erlang: Decodable, Sendable, Equatable {
        public var name: String?
        public var nodes: [String]?
        public var cookieFile: String?
        public var netTicktime: ConfigDuration?
        public var maxFrameSize: Int?
        public var listen: Bool?
        public var tls: TLS?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, nodes, listen, tls
            case cookieFile = "cookie_file", netTicktime = "net_ticktime", maxFrameSize = "max_frame_size"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            nodes = try container.decodeIfPresent([String].self, forKey: .nodes)
            cookieFile = try container.decodeIfPresent(String.self, forKey: .cookieFile)
            // Erlang's own unit for net_ticktime is whole seconds, as `-kernel net_ticktime 60`.
            if let seconds = try? container.decodeInteger(forKey: .netTicktime) {
                netTicktime = ConfigDuration(.seconds(seconds))
            } else {
                netTicktime = try container.decodeIfPresent(ConfigDuration.self, forKey: .netTicktime)
            }
            maxFrameSize = try container.decodeInteger(forKey: .maxFrameSize)
            listen = try container.decodeIfPresent(Bool.self, forKey: .listen)
            tls = try container.decodeIfPresent(TLS.self, forKey: .tls)
        }

        public struct TLS: Decodable, Sendable, Equatable {
            public var caFile: String?
            public var certFile: String?
            public var keyFile: String?
            public var insecureSkipVerify: Bool?

            enum CodingKeys: String, CodingKey, CaseIterable {
                case caFile = "ca_file", certFile = "cert_file", keyFile = "key_file"
                case insecureSkipVerify = "insecure_skip_verify"
            }

            public init(from decoder: any Decoder) throws {
                try decoder.rejectUnknownKeys(CodingKeys.self)
                let container = try decoder.container(keyedBy: CodingKeys.self)
                caFile = try container.decodeIfPresent(String.self, forKey: .caFile)
                certFile = try container.decodeIfPresent(String.self, forKey: .certFile)
                keyFile = try container.decodeIfPresent(String.self, forKey: .keyFile)
                insecureSkipVerify = try container.decodeIfPresent(Bool.self, forKey: .insecureSkipVerify)
            }
        }
    }

    public struct PubSub: Decodable, Sendable, Equatable {
        public var buses: [String]?
        /// Follow all nine ExESDBGater buses.
        public var allBuses: Bool?
        public var poolSize: Int?
        /// Bus name to the topics delivered from it.
        public var topics: [String: [String]]?
        /// The pg scope the buses' PubSub servers use.
        public var scope: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case buses, topics, scope, poolSize = "pool_size", allBuses = "all_buses"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            buses = try container.decodeIfPresent([String].self, forKey: .buses)
            allBuses = try container.decodeIfPresent(Bool.self, forKey: .allBuses)
            poolSize = try container.decodeInteger(forKey: .poolSize)
            topics = try container.decodeIfPresent([String: [String]].self, forKey: .topics)
            scope = try container.decodeIfPresent(String.self, forKey: .scope)
        }
    }

    public struct Cluster: Decodable, Sendable, Equatable {
        public var discover: Bool?
        public var shard: String?
        /// How often every connected node is asked for its node list.
        public var refreshInterval: ConfigDuration?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case discover, shard, refreshInterval = "refresh_interval"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            discover = try container.decodeIfPresent(Bool.self, forKey: .discover)
            shard = try container.decodeIfPresent(String.self, forKey: .shard)
            refreshInterval = try container.decodeIfPresent(ConfigDuration.self, forKey: .refreshInterval)
        }
    }

    public struct Security: Decodable, Sendable, Equatable {
        public var secretKeyBaseFile: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case secretKeyBaseFile = "secret_key_base_file" }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            secretKeyBaseFile = try container.decodeIfPresent(String.self, forKey: .secretKeyBaseFile)
        }
    }

    public struct Metrics: Decodable, Sendable, Equatable {
        public var ttl: ConfigDuration?
        public var maxSeries: Int?
        /// Histogram family name to its bucket upper bounds.
        public var buckets: [String: [Double]]?

        enum CodingKeys: String, CodingKey, CaseIterable { case ttl, buckets, maxSeries = "max_series" }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            ttl = try container.decodeIfPresent(ConfigDuration.self, forKey: .ttl)
            maxSeries = try container.decodeInteger(forKey: .maxSeries)
            buckets = try container.decodeIfPresent([String: [Double]].self, forKey: .buckets)
        }
    }

    /// The collectors that read more than the buses (`--collector.*`).
    public struct Collector: Decodable, Sendable, Equatable {
        public var beam: BEAM?

        enum CodingKeys: String, CodingKey, CaseIterable { case beam }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            beam = try container.decodeIfPresent(BEAM.self, forKey: .beam)
        }

        /// `beam: false`, or `beam: {enabled: true, interval: 15s, timeout: 5s}`.
        public struct BEAM: Decodable, Sendable, Equatable {
            public var enabled: Bool?
            public var interval: ConfigDuration?
            public var timeout: ConfigDuration?

            enum CodingKeys: String, CodingKey, CaseIterable { case enabled, interval, timeout }

            public init(from decoder: any Decoder) throws {
                if let single = try? decoder.singleValueContainer() {
                    if let enabled = try? single.decode(Bool.self) {
                        self.enabled = enabled
                        return
                    }
                    if (try? single.decode(String.self)) != nil {
                        throw DecodingError.dataCorrupted(
                            DecodingError.Context(
                                codingPath: decoder.codingPath,
                                debugDescription: "expected true, false or a mapping (enabled, interval, timeout)"))
                    }
                }
                try decoder.rejectUnknownKeys(CodingKeys.self)
                let container = try decoder.container(keyedBy: CodingKeys.self)
                enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled)
                interval = try container.decodeIfPresent(ConfigDuration.self, forKey: .interval)
                timeout = try container.decodeIfPresent(ConfigDuration.self, forKey: .timeout)
            }
        }
    }
}

extension ExporterFileSettings {
    /// Every key the file knows, dotted from the root (`web`, `web.listen_address`,
    /// `erlang.tls.ca_file`): the keys each section's decoding accepts, so that the flags'
    /// config keys can be checked against them. `webhooks` is decoded by its owner.
    public static var keys: [String] {
        func under<Keys: CodingKey & CaseIterable>(_ prefix: String, _: Keys.Type) -> [String] {
            Keys.allCases.map { "\(prefix).\($0.stringValue)" }
        }
        return CodingKeys.allCases.map(\.stringValue) + under("web", Web.CodingKeys.self)
            + under("log", Log.CodingKeys.self) + under("erlang", Erlang.CodingKeys.self)
            + under("erlang.tls", Erlang.TLS.CodingKeys.self) + under("pubsub", PubSub.CodingKeys.self)
            + under("cluster", Cluster.CodingKeys.self) + under("security", Security.CodingKeys.self)
            + under("metrics", Metrics.CodingKeys.self) + under("collector", Collector.CodingKeys.self)
            + under("collector.beam", Collector.BEAM.CodingKeys.self)
    }
}
