import Foundation

/// The normalized snapshot of Kafka's message schemas that the repository keeps in place of Kafka's own
/// files (`Tools/KafkaProtocolSchema/`): one JSON file per definition, under the definition's file name,
/// holding what `MessageSpec` models (names, types, versions, tags, defaults) and none of Kafka's prose
/// (no licence header, no comments, no `about` texts), with sorted keys. The generator reads it like
/// Kafka's files and makes the same code from it.
public enum SchemaSnapshot {
    /// The snapshot of a folder of Kafka's definitions, by file name. Every definition must resolve.
    public static func make(fromDefinitions directory: String) throws -> [String: String] {
        var files: [String: String] = [:]
        for (name, spec) in try Generator.readDefinitions(directory: directory) {
            do {
                _ = try ResolvedMessage(spec)
            } catch {
                throw SpecError("\(name): \(error)")
            }
            files[name] = try self.text(of: spec)
        }
        return files
    }

    /// One definition as the snapshot writes it: pretty-printed JSON, keys sorted, a final newline.
    public static func text(of spec: MessageSpec) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(spec), as: UTF8.self) + "\n"
    }
}
