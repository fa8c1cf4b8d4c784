// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "exesdb_exporter",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "exesdb_exporter", targets: ["exesdb_exporter"]),
        .library(name: "ErlangTerm", targets: ["ErlangTerm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
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
        // The Erlang distribution protocol: EPMD, handshake, framing, ticks, control messages,
        // local processes and per-peer connections with reconnect.
        .target(
            name: "ErlangDistribution",
            dependencies: [
                "ErlangTerm",
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
        // ExESDBGater messages: envelope signatures (HMAC-SHA256 over the publisher's
        // term_to_binary) and tolerant decoding of the thirteen payload structs.
        .target(
            name: "GaterMessages",
            dependencies: [
                "ErlangTerm",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
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
                "ErlangTerm", "ErlangDistribution", "PhoenixPubSub", "GaterMessages",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Real BEAM peers (erl, erlc, epmd from Debian's erlang-base) for tests and benchmarks.
        .target(
            name: "BEAMPeers",
            dependencies: []
        ),
        // The executable only wires the modules together.
        .executableTarget(
            name: "exesdb_exporter",
            dependencies: [
                "ErlangTerm", "ErlangDistribution", "PhoenixPubSub", "GaterMessages", "ClusterSubscription",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Release-mode benchmarks that print figures beside the BEAM's own; not part of `swift test`.
        .executableTarget(
            name: "ExporterBenchmarks",
            dependencies: [
                "ErlangTerm", "ErlangDistribution", "GaterMessages", "BEAMPeers",
                .product(name: "Logging", package: "swift-log"),
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
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "PhoenixPubSubTests",
            dependencies: [
                "PhoenixPubSub", "ClusterSubscription", "ErlangDistribution", "ErlangTerm", "GaterMessages",
                "BEAMPeers",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Fixtures"]
        ),
        // The built executable, run as an operator would run it.
        .testTarget(
            name: "ExporterCLITests",
            dependencies: ["BEAMPeers"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
