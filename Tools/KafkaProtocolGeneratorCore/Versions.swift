import Foundation

/// A range of protocol versions as Kafka's message definitions write them: `"3"`, `"0-4"`, `"9+"` or
/// `"none"` (Kafka's `Versions.java`). `A+` reaches the largest int16.
public struct Versions: Hashable, Sendable, CustomStringConvertible {
    public let lowest: Int16
    public let highest: Int16

    public static let none = Versions(lowest: 0, highest: -1)
    public static let all = Versions(lowest: 0, highest: .max)

    public init(lowest: Int16, highest: Int16) {
        self.lowest = lowest
        self.highest = highest
    }

    public init(parsing text: String) throws(SpecError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "none" {
            self = .none
        } else if trimmed.hasSuffix("+"), let low = Int16(trimmed.dropLast()) {
            self.init(lowest: low, highest: .max)
        } else if let dash = trimmed.firstIndex(of: "-"), let low = Int16(trimmed[..<dash]),
            let high = Int16(trimmed[trimmed.index(after: dash)...]), low <= high
        {
            self.init(lowest: low, highest: high)
        } else if let single = Int16(trimmed) {
            self.init(lowest: single, highest: single)
        } else {
            throw SpecError("invalid version range '\(text)'")
        }
        guard self.isEmpty || self.lowest >= 0 else { throw SpecError("negative version in '\(text)'") }
    }

    public var isEmpty: Bool { self.highest < self.lowest }

    public func contains(_ version: Int16) -> Bool { version >= self.lowest && version <= self.highest }

    public func intersection(_ other: Versions) -> Versions {
        let result = Versions(lowest: max(self.lowest, other.lowest), highest: min(self.highest, other.highest))
        return result.isEmpty ? .none : result
    }

    /// True when every version of `other` is in this range.
    public func contains(_ other: Versions) -> Bool {
        other.isEmpty || (self.contains(other.lowest) && self.contains(other.highest))
    }

    public var description: String {
        if self.isEmpty { return "none" }
        if self.highest == .max { return "\(self.lowest)+" }
        if self.lowest == self.highest { return "\(self.lowest)" }
        return "\(self.lowest)-\(self.highest)"
    }
}

/// A message definition that breaks the schema's rules.
public struct SpecError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { self.message }
}
