// swift-tools-version:6.2
// Monolog: a Kafka-compatible message broker. One package; the folders are the architecture
// (see docs/ARCHITECTURE.md). Services/ hold the executables, supervisor/ the process tree,
// Libraries/ the shared modules, Tests/ mirrors them.
import PackageDescription

/// Every target of ours: warnings fail the build (dependencies keep their own settings).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

/// A system library found through pkg-config; its folder holds a module.modulemap and shim.h.
func systemLibrary(_ name: String, pkgConfig: String, apt: String) -> Target {
    .systemLibrary(name: name, path: "Libraries/\(name)", pkgConfig: pkgConfig, providers: [.apt([apt])])
}

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
]
let log: Target.Dependency = .product(name: "Logging", package: "swift-log")
let lifecycle: [Target.Dependency] = [
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    .product(name: "UnixSignals", package: "swift-service-lifecycle"),
]
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let metrics: [Target.Dependency] = [
    .product(name: "Metrics", package: "swift-metrics"),
    .product(name: "Prometheus", package: "swift-prometheus"),
]

let package = Package(
    name: "monolog",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "monolog-supervisor", targets: ["Supervisor"]),
        .executable(name: "monolog-storage-writer", targets: ["StorageWriter"]),
        .executable(name: "monolog-kafka-gateway", targets: ["KafkaGateway"]),
        .executable(name: "monolog-http-gateway", targets: ["HTTPGateway"]),
        .executable(name: "monolog-retention-worker", targets: ["RetentionWorker"]),
        // For the fuzzers in Fuzz/: every decoder of bytes that come from outside.
        .library(
            name: "MonologFuzzTargets",
            targets: ["MonologKafkaProtocol", "MonologRecords", "MonologWriterProtocol", "MonologHTTPBodies"]
        ),
        // For the benchmark package in Benchmarks/.
        .library(
            name: "MonologBenchmarkSupport",
            targets: [
                "MonologKafkaProtocol", "MonologProcess", "MonologRecords", "MonologStorage", "MonologStorageEngine", "MonologWriterClient",
                "MonologWriterProtocol",
            ]
        ),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        // C system libraries (Debian -dev packages) and the CRC-32C shim.
        systemLibrary("CSQLite", pkgConfig: "sqlite3", apt: "libsqlite3-dev"),
        systemLibrary("CCurl", pkgConfig: "libcurl", apt: "libcurl4-openssl-dev"),
        systemLibrary("CZlib", pkgConfig: "zlib", apt: "zlib1g-dev"),
        systemLibrary("CLZ4", pkgConfig: "liblz4", apt: "liblz4-dev"),
        systemLibrary("CZstd", pkgConfig: "libzstd", apt: "libzstd-dev"),
        systemLibrary("CSnappy", pkgConfig: "snappy", apt: "libsnappy-dev"),
        .target(name: "CCRC32C", path: "Libraries/CCRC32C"),

        // Shared libraries: one concern each.
        .target(
            name: "MonologRecords",
            dependencies: ["CCRC32C", "CZlib", "CLZ4", "CZstd", "CSnappy", .product(name: "NIOCore", package: "swift-nio")],
            path: "Libraries/MonologRecords",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MonologKafkaProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            path: "Libraries/MonologKafkaProtocol",
            swiftSettings: swiftSettings
        ),
        // The database's read side, shared by every process: reader, schema, read-only open, and the
        // data directory's layout.
        .target(
            name: "MonologStorage",
            dependencies: ["CSQLite", "MonologRecords", .product(name: "NIOCore", package: "swift-nio")],
            path: "Libraries/MonologStorage",
            swiftSettings: swiftSettings
        ),
        // The transaction coordinator's rules: a pure state machine the storage writer runs.
        .target(
            name: "MonologTransactions",
            path: "Libraries/MonologTransactions",
            swiftSettings: swiftSettings
        ),
        // The write side (LogStore, migrations, opening for writing): the storage writer alone
        // depends on it, so no other process can build a write.
        .target(
            name: "MonologStorageEngine",
            dependencies: ["MonologStorage", "MonologRecords", "MonologTransactions", "MonologProcess", .product(name: "NIOCore", package: "swift-nio")],
            path: "Libraries/MonologStorageEngine",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MonologWriterProtocol",
            dependencies: ["MonologStorage", .product(name: "NIOCore", package: "swift-nio")],
            path: "Libraries/MonologWriterProtocol",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MonologWriterClient",
            dependencies: [
                "MonologWriterProtocol", "MonologProcess", "MonologRecords", "MonologStorage", log,
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ] + nio,
            path: "Libraries/MonologWriterClient",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MonologProcess",
            dependencies: [.product(name: "NIOConcurrencyHelpers", package: "swift-nio")] + nio,
            path: "Libraries/MonologProcess",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MonologGroups",
            dependencies: ["MonologKafkaProtocol", log, .product(name: "NIOCore", package: "swift-nio")],
            path: "Libraries/MonologGroups",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MonologConfig",
            dependencies: ["MonologProcess", argumentParser, log, .product(name: "Yams", package: "Yams")],
            path: "Libraries/MonologConfig",
            swiftSettings: swiftSettings
        ),
        // The HTTP API's request bodies, decoded and checked apart from the server (so Fuzz/ can reach them).
        .target(name: "MonologHTTPBodies", path: "Libraries/MonologHTTPBodies", swiftSettings: swiftSettings),
        .target(
            name: "MonologSecurity",
            dependencies: [
                "MonologConfig", "MonologStorage", "MonologWriterProtocol",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Libraries/MonologSecurity",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MonologObservability",
            dependencies: [
                "MonologProcess", log,
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ] + nio,
            path: "Libraries/MonologObservability",
            swiftSettings: swiftSettings
        ),
        // A Kafka client (routing to leaders and coordinators, ApiVersions, TLS, SASL) for copying
        // data to another cluster with nothing but the Kafka protocol.
        .target(
            name: "MonologKafkaClient",
            dependencies: [
                "MonologKafkaProtocol", "MonologSecurity",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ] + nio,
            path: "Libraries/MonologKafkaClient",
            swiftSettings: swiftSettings
        ),

        // The processes.
        .executableTarget(
            name: "StorageWriter",
            dependencies: [
                "MonologStorage", "MonologStorageEngine", "MonologTransactions", "MonologWriterProtocol", "MonologRecords",
                "MonologConfig", "MonologObservability", "MonologProcess", argumentParser, log,
            ] + lifecycle + nio + metrics,
            path: "Services/StorageWriter",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "HTTPGateway",
            dependencies: [
                "MonologStorage", "MonologWriterClient", "MonologWriterProtocol", "MonologRecords", "MonologConfig",
                "MonologHTTPBodies", "MonologObservability", "MonologProcess", "MonologSecurity", argumentParser, log,
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
            ] + lifecycle + nio + metrics,
            path: "Services/HTTPGateway",
            resources: [.copy("Console/Assets")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "KafkaGateway",
            dependencies: [
                "MonologKafkaProtocol", "MonologGroups", "MonologRecords", "MonologStorage", "MonologWriterClient", "MonologWriterProtocol",
                "MonologConfig", "MonologObservability", "MonologProcess", "MonologSecurity",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                argumentParser, log,
            ] + lifecycle + nio + metrics,
            path: "Services/KafkaGateway",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "RetentionWorker",
            dependencies: [
                "MonologStorage", "MonologWriterClient", "MonologWriterProtocol", "MonologConfig", "MonologObservability",
                "MonologProcess", argumentParser, log,
            ] + lifecycle,
            path: "Services/RetentionWorker",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Supervisor",
            dependencies: [
                "MonologConfig", "MonologKafkaClient", "MonologKafkaProtocol", "MonologObservability", "MonologProcess", "MonologRecords",
                "MonologSecurity", "MonologStorage", "MonologWriterClient", "MonologWriterProtocol", argumentParser, log,
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ] + nio,
            path: "supervisor",
            swiftSettings: swiftSettings
        ),

        // The protocol code generator (scripts/generate-protocol.sh runs it).
        .target(
            name: "KafkaProtocolGeneratorCore",
            path: "Tools/KafkaProtocolGeneratorCore",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "KafkaProtocolGenerator",
            dependencies: ["KafkaProtocolGeneratorCore"],
            path: "Tools/KafkaProtocolGenerator",
            swiftSettings: swiftSettings
        ),

        // Tests.
        .target(
            name: "MonologTestSupport",
            dependencies: ["CCurl", "MonologStorage"],
            path: "Tests/MonologTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonologWriterClientTests",
            dependencies: [
                "MonologWriterClient", "MonologWriterProtocol", "MonologRecords", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Tests/MonologWriterClientTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonologRecordsTests",
            dependencies: ["MonologRecords", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonologKafkaProtocolTests",
            dependencies: [
                "MonologKafkaProtocol", "MonologRecords", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            exclude: ["Golden"],  // request frames the tests read by path
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KafkaProtocolGeneratorTests",
            dependencies: ["KafkaProtocolGeneratorCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonologGroupsTests",
            dependencies: [
                "MonologGroups", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonologSecurityTests",
            dependencies: ["MonologSecurity", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonologKafkaClientTests",
            dependencies: [
                "MonologKafkaClient", "MonologSecurity", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonologTransactionsTests",
            dependencies: ["MonologTransactions"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonologStorageTests",
            dependencies: ["MonologStorage", "MonologStorageEngine", "MonologRecords", "MonologTransactions", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonologWriterProtocolTests",
            dependencies: ["MonologWriterProtocol", "MonologStorage", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonologConfigTests",
            dependencies: ["MonologConfig", argumentParser, log],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StorageWriterTests",
            dependencies: [
                "StorageWriter", "MonologStorage", "MonologStorageEngine", "MonologRecords", "MonologWriterProtocol", log,
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ] + nio,
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KafkaGatewayTests",
            dependencies: [
                "KafkaGateway", "MonologTestSupport", "MonologKafkaProtocol", "MonologRecords", "MonologConfig", "MonologGroups",
                "MonologSecurity", "MonologStorage", "MonologWriterClient", "MonologProcess", log,
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ] + nio,
            swiftSettings: swiftSettings
        ),
        // The Kafka connection's rules (answer order, SASL), on its state machine alone.
        .testTarget(
            name: "KafkaConnectionTests",
            dependencies: ["KafkaGateway", "MonologKafkaProtocol", "MonologSecurity", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SupervisorTests",
            dependencies: ["Supervisor", "MonologConfig", "MonologProcess", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "MonologTestSupport", "MonologKafkaProtocol", "MonologWriterClient", "MonologWriterProtocol", "MonologStorage",
                "MonologRecords", "MonologSecurity", "MonologKafkaClient", log,
            ] + nio,
            swiftSettings: swiftSettings
        ),
    ]
)
