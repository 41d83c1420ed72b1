// swift-tools-version:6.2
// Benchmarks live in their own package so the main build stays lean. Run: scripts/bench-protocol.sh
import PackageDescription

let package = Package(
    name: "monolog-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "monolog", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "ProtocolBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MonologBenchmarkSupport", package: "monolog"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/ProtocolBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Scenarios against the real storage writer process, timed by wall clock with medians of runs.
        .executableTarget(
            name: "StorageBenchmarks",
            dependencies: [
                .product(name: "MonologBenchmarkSupport", package: "monolog"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/StorageBenchmarks"
        ),
    ]
)
