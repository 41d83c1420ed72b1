// swift-tools-version:6.2
// libFuzzer targets, in their own package because they build only with `-sanitize=fuzzer` and
// `-parse-as-library`: scripts/fuzz.sh [seconds] builds and runs them all. Each target is one function
// over a decoder of bytes that come from outside the broker, run by libFuzzer's driver (CFuzzDriver).
import PackageDescription

let targets = ["FuzzKafkaRequest", "FuzzRecordBatch", "FuzzWriterProtocol", "FuzzHTTPBody"]

let package = Package(
    name: "monolog-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "monolog", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [.target(name: "CFuzzDriver", path: "Sources/CFuzzDriver")]
        + targets.map { name in
            .executableTarget(
                name: name,
                dependencies: [
                    "CFuzzDriver",
                    .product(name: "MonologFuzzTargets", package: "monolog"),
                    .product(name: "NIOCore", package: "swift-nio"),
                ],
                path: "Sources/\(name)"
            )
        }
)
