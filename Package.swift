// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "exesdb_exporter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "exesdb_exporter", targets: ["exesdb_exporter"]),
        .library(name: "ErlangTerm", targets: ["ErlangTerm"]),
        // For the fuzz targets' own package (Fuzz/Package.swift), which depends on this one by path.
        .library(name: "ErlangDistribution", targets: ["ErlangDistribution"]),
        .library(name: "GaterMessages", targets: ["GaterMessages"]),
        .library(name: "PhoenixPubSub", targets: ["PhoenixPubSub"]),
        .library(name: "ClusterSubscription", targets: ["ClusterSubscription"]),
        .library(name: "MetricsStore", targets: ["MetricsStore"]),
        .library(name: "Aggregation", targets: ["Aggregation"]),
        .library(name: "ExporterConfiguration", targets: ["ExporterConfiguration"]),
        .library(name: "ExporterHTTP", targets: ["ExporterHTTP"]),
        .library(name: "WebhookForwarder", targets: ["WebhookForwarder"]),
        // Test support (real BEAM nodes, receivers, Prometheus), for the benchmarks' package.
        .library(name: "BEAMPeers", targets: ["BEAMPeers"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // External Term Format codec: the value model, a zero-copy decoded view, the encoder.
        .target(
            name: "ErlangTerm",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        // What a metric family is (name, type, help, unit, labels, buckets): each module that emits
        // families declares them beside its code with it; the catalogue is their union (ExporterApp).
        .target(name: "MetricDeclarations"),
        // The Erlang distribution protocol: EPMD, handshake, framing, ticks, control messages,
        // local processes and per-peer connections with reconnect.
        .target(
            name: "ErlangDistribution",
            dependencies: [
                "ErlangTerm", "MetricDeclarations",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // SHA-256 from the system's libcrypto (Debian libssl-dev), for the per-message HMAC.
        .systemLibrary(
            name: "COpenSSLCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]
        ),
        // ExESDBGater messages: envelope signatures (HMAC-SHA256 over the publisher's
        // term_to_binary) and tolerant decoding of the thirteen payload structs.
        .target(
            name: "GaterMessages",
            dependencies: [
                "ErlangTerm", "COpenSSLCrypto", "MetricDeclarations",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // Calls through a node's standard rex server (what rpc:call does), one at a time per node,
        // applying only functions the node already has.
        .target(
            name: "ErlangRPC",
            dependencies: ["ErlangTerm", "ErlangDistribution"]
        ),
        // Phoenix.PubSub over OTP pg: joins the buses' groups on every connected node and turns
        // forward_to_local messages into broadcasts.
        .target(
            name: "PhoenixPubSub",
            dependencies: [
                "ErlangTerm", "ErlangDistribution",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The subscription to a whole ExESDB cluster: seeds, discovery through rex, shards,
        // per-node subscription, and the stream of verified, typed messages.
        .target(
            name: "ClusterSubscription",
            dependencies: [
                "ErlangTerm", "ErlangDistribution", "ErlangRPC", "PhoenixPubSub", "GaterMessages", "MetricDeclarations",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Metric families (counter, gauge, histogram, stateset, info), series with TTL and a
        // cardinality limit, the Prometheus 0.0.4 and OpenMetrics 1.0 renderers, the swift-metrics
        // factory and the process collector.
        .target(
            name: "MetricsStore",
            dependencies: [
                "MetricDeclarations",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The nodes' own VM figures (memory, limits, schedulers, statistics, applications, the
        // distribution mesh) read over rex on every followed node, into MetricsStore families.
        .target(
            name: "BEAMCollector",
            dependencies: [
                "ErlangTerm", "ErlangDistribution", "ErlangRPC", "MetricsStore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The metric catalogue (README, Metrics): typed Gater messages into MetricsStore families.
        .target(
            name: "Aggregation",
            dependencies: [
                "GaterMessages", "MetricsStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The HTTP side: /metrics with content negotiation and gzip, the landing page, health and
        // readiness, the exporter-toolkit web config (TLS, bcrypt basic auth).
        .target(
            name: "ExporterHTTP",
            dependencies: [
                "MetricsStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Log lines as logfmt or JSON, with a level that a reload can change.
        .target(
            name: "ExporterLogging",
            dependencies: [
                "MetricDeclarations",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The YAML config file and its merge with the flags (README, Configuration).
        .target(
            name: "ExporterConfiguration",
            dependencies: [
                .product(name: "Yams", package: "Yams")
            ]
        ),
        // AlertEscalation events to webhook endpoints through libcurl, spooled for at-least-once.
        .target(
            name: "WebhookForwarder",
            dependencies: [
                "GaterMessages", "CurlShim", "CZlib", "ExporterConfiguration", "MetricDeclarations",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // libcurl, found through pkg-config.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // zlib's crc32, the checksum of each webhook spool record (Debian zlib1g-dev).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Typed wrappers for libcurl's variadic setopt and getinfo, which Swift cannot call.
        .target(name: "CurlShim", dependencies: ["CCurl"]),
        // Test support, not shipped: the real WebhookForwarder in a process of its own, fed Gater
        // messages from a file or stdin, so tests can kill -9 it and restart it on the same spool.
        .executableTarget(
            name: "WebhookForwarderHarness",
            dependencies: [
                "WebhookForwarder", "ExporterConfiguration", "GaterMessages", "ErlangTerm",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Real peers for tests and benchmarks: BEAM nodes (erl, erlc, epmd from Debian's erlang-base),
        // a webhook receiver on loopback and a real Alertmanager.
        .target(
            name: "BEAMPeers",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The application: the flags (one table), settings resolution over the config file, the
        // help page, --config.check, reload and the cluster's bring-up.
        .target(
            name: "ExporterApp",
            dependencies: [
                "ErlangTerm", "ErlangDistribution", "PhoenixPubSub", "GaterMessages", "ClusterSubscription",
                "MetricsStore", "Aggregation", "ExporterHTTP", "ExporterConfiguration", "WebhookForwarder",
                "ExporterLogging", "BEAMCollector",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The executable: main and the wiring of the modules into one service group.
        .executableTarget(
            name: "exesdb_exporter",
            dependencies: [
                "ExporterApp", "ClusterSubscription", "GaterMessages", "MetricsStore", "Aggregation", "ExporterHTTP",
                "WebhookForwarder", "ExporterLogging", "BEAMCollector",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ErlangTermTests",
            dependencies: ["ErlangTerm", "BEAMPeers"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ErlangDistributionTests",
            dependencies: [
                "ErlangDistribution", "ErlangTerm", "BEAMPeers",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "GaterMessagesTests",
            dependencies: [
                "GaterMessages", "ErlangTerm", "BEAMPeers",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "PhoenixPubSubTests",
            dependencies: [
                "PhoenixPubSub", "ClusterSubscription", "ErlangDistribution", "ErlangTerm", "GaterMessages",
                "BEAMPeers",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "MetricsStoreTests",
            dependencies: ["MetricsStore", "BEAMPeers", .product(name: "CoreMetrics", package: "swift-metrics")]
        ),
        .testTarget(
            name: "BEAMCollectorTests",
            dependencies: [
                "BEAMCollector", "ErlangRPC", "ErlangDistribution", "ErlangTerm", "MetricsStore", "BEAMPeers",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "AggregationTests",
            dependencies: ["Aggregation", "MetricsStore", "GaterMessages", "BEAMPeers", "ExporterApp"]
        ),
        .testTarget(
            name: "ExporterHTTPTests",
            dependencies: [
                "ExporterHTTP", "BEAMPeers", "MetricsStore",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "ExporterLoggingTests",
            dependencies: ["ExporterLogging", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "ExporterConfigurationTests",
            dependencies: ["ExporterConfiguration"]
        ),
        .testTarget(
            name: "WebhookForwarderTests",
            dependencies: [
                "WebhookForwarder", "GaterMessages", "BEAMPeers", "ExporterConfiguration",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The shipped dashboards, alert rules and deployment files, checked with real tools.
        .testTarget(
            name: "OperationsTests",
            dependencies: [
                "BEAMPeers", "ExporterApp", "ExporterConfiguration", "MetricsStore", "WebhookForwarder",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The application's settings, flags, help page and reload, in process (no binary, no peers).
        .testTarget(
            name: "ExporterCommandTests",
            dependencies: [
                "ExporterApp", "ExporterConfiguration", "ExporterHTTP", "MetricsStore", "Aggregation",
                "WebhookForwarder", "ExporterLogging", "BEAMCollector", "ErlangDistribution",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The built executable, run as an operator would run it.
        .testTarget(
            name: "ExporterCLITests",
            dependencies: [
                "BEAMPeers", "ExporterApp", .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
