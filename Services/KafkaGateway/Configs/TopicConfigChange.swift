import Foundation
import MonologKafkaProtocol
import MonologStorage

/// A change to one topic's configs, worked out from AlterConfigs (replace them all) or
/// IncrementalAlterConfigs (SET, DELETE, APPEND, SUBTRACT), checked before anything is written.
struct TopicConfigChange: Sendable {
    var set: [String: String] = [:]
    var delete: [String] = []

    struct Refusal: Error {
        var code: Int16
        var message: String
    }

    /// AlterConfigs: the topic ends up with exactly `configs`.
    static func replacing(_ current: [String: String], with configs: [(name: String, value: String?)]) throws(Refusal) -> TopicConfigChange {
        try refuseDuplicates(configs.map(\.name))
        var change = TopicConfigChange()
        for (name, value) in configs {
            guard let value else {
                throw Refusal(code: KafkaErrorCode.invalidRequest, message: "a null value is not allowed for topic config '\(name)'")
            }
            try check(name, value)
            change.set[name] = value
        }
        change.delete = current.keys.filter { change.set[$0] == nil }.sorted()
        try refuseConflicts(change.set)
        return change
    }

    /// The operations of IncrementalAlterConfigs.
    enum Operation: Int8 {
        case set = 0
        case delete = 1
        case append = 2
        case subtract = 3
    }

    /// IncrementalAlterConfigs: each operation applied to the topic's current (or default) value.
    static func applying(
        _ operations: [(name: String, operation: Int8, value: String?)],
        to current: [String: String]
    ) throws(Refusal) -> TopicConfigChange {
        try refuseDuplicates(operations.map(\.name))
        var change = TopicConfigChange()
        for (name, code, value) in operations {
            guard let definition = TopicConfigs.byName[name] else {
                throw Refusal(code: KafkaErrorCode.invalidConfig, message: "unknown topic config '\(name)'")
            }
            guard let operation = Operation(rawValue: code) else {
                throw Refusal(code: KafkaErrorCode.invalidRequest, message: "unknown config operation \(code) for '\(name)'")
            }
            switch operation {
            case .delete:
                change.delete.append(name)
                continue
            case .set:
                guard let value else { throw Refusal(code: KafkaErrorCode.invalidRequest, message: "SET of '\(name)' needs a value") }
                try check(name, value)
                change.set[name] = value
            case .append, .subtract:
                guard TopicConfigDescriptions.kind(name) == .list else {
                    throw Refusal(code: KafkaErrorCode.invalidRequest, message: "'\(name)' is not a list: APPEND and SUBTRACT do not apply")
                }
                let existing = (current[name] ?? definition.defaultValue ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let items = (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let result = operation == .append ? existing + items.filter { !existing.contains($0) } : existing.filter { !items.contains($0) }
                let joined = result.joined(separator: ",")
                try check(name, joined)
                change.set[name] = joined
            }
        }
        var resulting = current
        for name in change.delete { resulting[name] = nil }
        resulting.merge(change.set) { _, new in new }
        try refuseConflicts(resulting)
        return change
    }

    private static func check(_ name: String, _ value: String) throws(Refusal) {
        if TopicConfigs.byName[name] == nil {
            throw Refusal(code: KafkaErrorCode.invalidConfig, message: "unknown topic config '\(name)'")
        }
        if let problem = TopicConfigs.problem(name: name, value: value) {
            throw Refusal(code: KafkaErrorCode.invalidConfig, message: problem)
        }
    }

    private static func refuseConflicts(_ configs: [String: String]) throws(Refusal) {
        if let conflict = TopicConfigs.conflict(in: configs) {
            throw Refusal(code: KafkaErrorCode.invalidConfig, message: conflict)
        }
    }

    private static func refuseDuplicates(_ names: [String]) throws(Refusal) {
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted {
            throw Refusal(code: KafkaErrorCode.invalidRequest, message: "config '\(name)' appears more than once")
        }
    }
}
