import Foundation

/// Reads every definition in a folder and produces the generated files, in memory, by file name.
public enum Generator {
    /// The library's files (`Generated/`) and the tests' examples (`GeneratedExamples/`), by file name.
    public struct Output: Sendable {
        public var library: [String: String] = [:]
        public var examples: [String: String] = [:]
    }

    /// Generates from a folder of definitions: the repository's snapshot (`Tools/KafkaProtocolSchema`) or
    /// Kafka's own `message/` folder, which give the same output.
    public static func generate(definitionsDirectory: String) throws -> Output {
        var output = Output()
        var messages: [ResolvedMessage] = []
        for (name, spec) in try self.readDefinitions(directory: definitionsDirectory) {
            let message: ResolvedMessage
            do {
                message = try ResolvedMessage(spec)
            } catch {
                throw SpecError("\(name): \(error)")
            }
            messages.append(message)
            output.library[MessageEmitter.fileName(for: spec)] = MessageEmitter.emit(message, sourceFile: name)
            output.examples[spec.name + "+Example.swift"] = ExampleEmitter.emit(message, sourceFile: name)
        }
        output.library["KafkaAPIRegistry.swift"] = MessageEmitter.emitRegistry(messages)
        return output
    }

    /// Every `*.json` definition in a folder, parsed, with its file name, in file-name order.
    public static func readDefinitions(directory: String) throws -> [(file: String, spec: MessageSpec)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        return try names.map { name in
            let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            do {
                return (name, try MessageSpec.parse(text))
            } catch {
                throw SpecError("\(name): \(error)")
            }
        }
    }
}
