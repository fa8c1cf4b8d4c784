// swift-tools-version:6.2
import Foundation
import PackageDescription

// The fuzz targets (docs/proofs.md, Fuzzing), kept out of the product's package so that its build
// and CI never see them: `scripts/fuzz.sh` builds this package with
// `-sanitize=fuzzer,address` into its own scratch path. The exporter is a dependency by path,
// whose package identity is the name of its directory.
let exporterDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let exporter = exporterDirectory.lastPathComponent

let package = Package(
    name: "exesdb_exporter_fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        // The exporter's own dependencies, for what the harness uses directly (same versions).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // One executable for every target: FUZZ_TARGET picks it (libFuzzer owns the arguments).
        .executableTarget(
            name: "ExporterFuzz",
            dependencies: [
                .product(name: "ErlangTerm", package: exporter),
                .product(name: "ErlangDistribution", package: exporter),
                .product(name: "GaterMessages", package: exporter),
                .product(name: "PhoenixPubSub", package: exporter),
                .product(name: "ClusterSubscription", package: exporter),
                .product(name: "MetricsStore", package: exporter),
                .product(name: "Aggregation", package: exporter),
                .product(name: "ExporterConfiguration", package: exporter),
                .product(name: "ExporterHTTP", package: exporter),
                .product(name: "WebhookForwarder", package: exporter),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
