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
    ],
    targets: [
        .executableTarget(
            name: "ProtocolBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MonologKafkaProtocolProduct", package: "monolog"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/ProtocolBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
