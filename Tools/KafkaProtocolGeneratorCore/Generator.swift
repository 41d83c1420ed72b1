import Foundation

/// Reads every definition in a folder and produces the generated files, in memory, by file name.
public enum Generator {
    /// The library's files (`Generated/`) and the tests' examples (`GeneratedExamples/`), by file name.
    public struct Output: Sendable {
        public var library: [String: String] = [:]
        public var examples: [String: String] = [:]
    }

    public static func generate(definitionsDirectory: String) throws -> Output {
        let names = try FileManager.default.contentsOfDirectory(atPath: definitionsDirectory)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        var output = Output()
        var messages: [ResolvedMessage] = []
        for name in names {
            let text = try String(contentsOfFile: definitionsDirectory + "/" + name, encoding: .utf8)
            let spec: MessageSpec
            do {
                spec = try MessageSpec.parse(text)
            } catch {
                throw SpecError("\(name): \(error)")
            }
            let message = try ResolvedMessage(spec)
            messages.append(message)
            output.library[MessageEmitter.fileName(for: spec)] = MessageEmitter.emit(message, sourceFile: name)
            output.examples[spec.name + "+Example.swift"] = ExampleEmitter.emit(message, sourceFile: name)
        }
        output.library["KafkaAPIRegistry.swift"] = MessageEmitter.emitRegistry(messages)
        return output
    }
}
