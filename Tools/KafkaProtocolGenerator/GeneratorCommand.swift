import Foundation
import KafkaProtocolGeneratorCore

/// `KafkaProtocolGenerator <definitions-dir> <library-output-dir> <examples-output-dir>`: writes one Swift
/// file per Kafka message definition into the library folder, and one example file per message (used by
/// the round-trip tests) into the examples folder, replacing what was generated before.
@main
struct GeneratorCommand {
    static func main() {
        do {
            try self.run()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run() throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.count == 3 else {
            print("usage: KafkaProtocolGenerator <kafka message definitions dir> <library output dir> <examples output dir>")
            exit(2)
        }
        let paths = Array(arguments)
        let output = try Generator.generate(definitionsDirectory: paths[0])
        try self.replaceContents(of: paths[1], with: output.library)
        try self.replaceContents(of: paths[2], with: output.examples)
        print("generated \(output.library.count) files into \(paths[1]) and \(output.examples.count) into \(paths[2])")
    }

    static func replaceContents(of directory: String, with files: [String: String]) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for existing in try manager.contentsOfDirectory(atPath: directory) where existing.hasSuffix(".swift") {
            try manager.removeItem(atPath: directory + "/" + existing)
        }
        for (name, text) in files {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
    }
}
