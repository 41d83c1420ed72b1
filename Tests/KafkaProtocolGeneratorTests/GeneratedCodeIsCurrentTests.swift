import Foundation
import KafkaProtocolGeneratorCore
import Testing

/// The committed generated code is exactly what the generator makes from the committed schema snapshot
/// (Tools/KafkaProtocolSchema), so a hand edit under Generated/ or a generator change without
/// regeneration fails CI; and that snapshot is exactly what Kafka's message definitions give, where
/// those are present.
@Suite struct GeneratedCodeIsCurrentTests {
    /// The repository root, found from this file's path (Tests/KafkaProtocolGeneratorTests/…).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The normalized snapshot of Kafka's message schemas that the generator reads, kept in the repository.
    static let schema = repositoryRoot + "/Tools/KafkaProtocolSchema"

    /// Kafka's own message definitions, which the repository does not copy: the folder
    /// KAFKA_MESSAGE_DEFINITIONS names, else ../shared/kafka-protocol/message beside the checkout.
    static var kafkaDefinitions: String {
        ProcessInfo.processInfo.environment["KAFKA_MESSAGE_DEFINITIONS"]
            ?? (repositoryRoot as NSString).appendingPathComponent("../shared/kafka-protocol/message")
    }

    /// True when Kafka's definitions are there, or when KAFKA_MESSAGE_DEFINITIONS asks for them (then a
    /// wrong folder fails the test rather than skipping it).
    static var kafkaDefinitionsAreAvailable: Bool {
        ProcessInfo.processInfo.environment["KAFKA_MESSAGE_DEFINITIONS"] != nil
            || FileManager.default.fileExists(atPath: Self.kafkaDefinitions)
    }

    @Test func committedOutputMatchesARegeneration() throws {
        let output = try Generator.generate(definitionsDirectory: Self.schema)
        try Self.compare(
            output.library,
            with: Self.repositoryRoot + "/Libraries/MonologKafkaProtocol/Generated",
            suffix: ".swift",
            fix: "scripts/generate-protocol.sh"
        )
        try Self.compare(
            output.examples,
            with: Self.repositoryRoot + "/Tests/MonologKafkaProtocolTests/GeneratedExamples",
            suffix: ".swift",
            fix: "scripts/generate-protocol.sh"
        )
    }

    // Kafka's definitions are not in the repository (only the snapshot made from them is), so a fresh
    // clone cannot run this check: it runs where they sit beside the checkout or KAFKA_MESSAGE_DEFINITIONS
    // names them, and is reported as skipped elsewhere, neither failed nor passed.
    @Test(
        .enabled(
            if: Self.kafkaDefinitionsAreAvailable,
            "Kafka's message definitions are not at ../shared/kafka-protocol/message and KAFKA_MESSAGE_DEFINITIONS is not set"
        )
    )
    func committedSchemaMatchesKafkasDefinitions() throws {
        guard FileManager.default.fileExists(atPath: Self.kafkaDefinitions) else {
            Issue.record("Kafka message definitions not found at \(Self.kafkaDefinitions) (KAFKA_MESSAGE_DEFINITIONS)")
            return
        }
        let snapshot = try SchemaSnapshot.make(fromDefinitions: Self.kafkaDefinitions)
        try Self.compare(snapshot, with: Self.schema, suffix: ".json", fix: "scripts/refresh-protocol-schema.sh")
    }

    static func compare(_ expected: [String: String], with directory: String, suffix: String, fix: String) throws {
        let committed = Set(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(suffix) })
        #expect(committed == Set(expected.keys), "files differ in \(directory): run \(fix)")
        for (name, text) in expected where committed.contains(name) {
            let onDisk = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            #expect(onDisk == text, "\(name) is stale: run \(fix)")
        }
    }

    @Test func everyDefinitionParsesAndResolves() throws {
        let definitions = try Generator.readDefinitions(directory: Self.schema)
        #expect(definitions.count == 186)
        for (name, spec) in definitions {
            let message = try ResolvedMessage(spec)
            #expect(!message.validVersions.isEmpty, "\(name)")
            #expect(message.flexibleVersions.isEmpty || message.flexibleVersions.highest == .max, "\(name)")
        }
    }
}
