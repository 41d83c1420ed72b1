import Foundation
import KafkaProtocolGeneratorCore

/// `KafkaProtocolGenerator <schema-dir> <library-output-dir> <examples-output-dir>`: writes one Swift file
/// per message definition into the library folder, and one example file per message (used by the
/// round-trip tests) into the examples folder, replacing what was generated before.
///
/// `KafkaProtocolGenerator snapshot <kafka-definitions-dir> <schema-dir>`: writes the normalized snapshot
/// of Kafka's message definitions (`SchemaSnapshot`) into the schema folder, replacing its `*.json` files.
@main
struct GeneratorCommand {
    static let usage = """
        usage: KafkaProtocolGenerator <schema dir> <library output dir> <examples output dir>
               KafkaProtocolGenerator snapshot <kafka message definitions dir> <schema dir>
        """

    static func main() {
        do {
            try self.run()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count == 3 else {
            print(self.usage)
            exit(2)
        }
        if arguments[0] == "snapshot" {
            let files = try SchemaSnapshot.make(fromDefinitions: arguments[1])
            try self.replaceContents(of: arguments[2], suffix: ".json", with: files)
            print("wrote \(files.count) schema files into \(arguments[2])")
            return
        }
        let output = try Generator.generate(definitionsDirectory: arguments[0])
        try self.replaceContents(of: arguments[1], suffix: ".swift", with: output.library)
        try self.replaceContents(of: arguments[2], suffix: ".swift", with: output.examples)
        print("generated \(output.library.count) files into \(arguments[1]) and \(output.examples.count) into \(arguments[2])")
    }

    /// Replaces the folder's files ending in `suffix` (and only those) with `files`.
    static func replaceContents(of directory: String, suffix: String, with files: [String: String]) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for existing in try manager.contentsOfDirectory(atPath: directory) where existing.hasSuffix(suffix) {
            try manager.removeItem(atPath: directory + "/" + existing)
        }
        for (name, text) in files {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
    }
}
