// swift-tools-version:6.2
import Foundation
import PackageDescription

// The release-mode benchmarks (scripts/bench.sh, docs/performance.md), kept out of the exporter's
// package so that neither its users nor its test builds compile them or resolve their
// dependencies (swift-prometheus, the peer measured; malloc-interposer, the allocation counter).
// The exporter is a dependency by path, whose package identity is the name of its directory.
let exporterDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let exporter = exporterDirectory.lastPathComponent

let package = Package(
    name: "exesdb_exporter_benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        // The exporter's own dependencies, for what the benchmarks use directly (same versions).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/ordo-one/malloc-interposer.git", from: "1.6.1"),
    ],
    targets: [
        // Figures beside the BEAM's own and swift-prometheus's, measured in the same run.
        .executableTarget(
            name: "ExporterBenchmarks",
            dependencies: [
                .product(name: "ErlangTerm", package: exporter),
                .product(name: "ErlangDistribution", package: exporter),
                .product(name: "GaterMessages", package: exporter),
                .product(name: "PhoenixPubSub", package: exporter),
                .product(name: "ClusterSubscription", package: exporter),
                .product(name: "MetricsStore", package: exporter),
                .product(name: "Aggregation", package: exporter),
                .product(name: "WebhookForwarder", package: exporter),
                .product(name: "BEAMPeers", package: exporter),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
