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
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
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
        // The executable only wires the modules together.
        .executableTarget(
            name: "exesdb_exporter",
            dependencies: ["ErlangTerm"]
        ),
        // Release-mode benchmarks that print figures beside the BEAM's own; not part of `swift test`.
        .executableTarget(
            name: "ExporterBenchmarks",
            dependencies: ["ErlangTerm"]
        ),
        .testTarget(
            name: "ErlangTermTests",
            dependencies: ["ErlangTerm"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
