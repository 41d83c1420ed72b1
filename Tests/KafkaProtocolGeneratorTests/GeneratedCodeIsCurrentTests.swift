import Foundation
import KafkaProtocolGeneratorCore
import Testing

/// The committed generated code is exactly what the generator makes from the definitions today, so a
/// hand edit under Generated/ or a generator change without regeneration fails CI.
@Suite struct GeneratedCodeIsCurrentTests {
    /// The repository root, found from this file's path (Tests/KafkaProtocolGeneratorTests/…).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static var definitions: String {
        ProcessInfo.processInfo.environment["KAFKA_MESSAGE_DEFINITIONS"]
            ?? (repositoryRoot as NSString).appendingPathComponent("../shared/kafka-protocol/message")
    }

    /// Records a failure naming where the definitions were looked for, when they are not there.
    static func definitionsArePresent() -> Bool {
        guard FileManager.default.fileExists(atPath: Self.definitions) else {
            Issue.record("Kafka message definitions not found at \(Self.definitions); set KAFKA_MESSAGE_DEFINITIONS")
            return false
        }
        return true
    }

    @Test func committedOutputMatchesARegeneration() throws {
        guard Self.definitionsArePresent() else { return }
        let output = try Generator.generate(definitionsDirectory: Self.definitions)
        try Self.compare(output.library, with: Self.repositoryRoot + "/Libraries/MonologKafkaProtocol/Generated")
        try Self.compare(output.examples, with: Self.repositoryRoot + "/Tests/MonologKafkaProtocolTests/GeneratedExamples")
    }

    static func compare(_ generated: [String: String], with directory: String) throws {
        let committed = Set(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".swift") })
        #expect(committed == Set(generated.keys), "files differ in \(directory): run scripts/generate-protocol.sh")
        for (name, text) in generated where committed.contains(name) {
            let onDisk = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            #expect(onDisk == text, "\(name) is stale: run scripts/generate-protocol.sh")
        }
    }

    @Test func everyDefinitionParsesAndResolves() throws {
        guard Self.definitionsArePresent() else { return }
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.definitions).filter { $0.hasSuffix(".json") }
        #expect(names.count == 186)
        for name in names {
            let spec = try MessageSpec.parse(try String(contentsOfFile: Self.definitions + "/" + name, encoding: .utf8))
            let message = try ResolvedMessage(spec)
            #expect(!message.validVersions.isEmpty, "\(name)")
            #expect(message.flexibleVersions.isEmpty || message.flexibleVersions.highest == .max, "\(name)")
        }
    }
}
