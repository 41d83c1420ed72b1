/// Swift conditions on the `version` variable for a version range.
enum Condition {
    /// `version >= 3`, `version <= 2`, `version >= 1 && version <= 4`; nil when every version matches,
    /// "false" when none does.
    static func `for`(_ range: Versions, within valid: Versions) -> String? {
        let effective = range.intersection(valid)
        if effective.isEmpty { return "false" }
        if effective == valid { return nil }
        let low = effective.lowest > valid.lowest ? "version >= \(effective.lowest)" : nil
        let high = effective.highest < valid.highest ? "version <= \(effective.highest)" : nil
        return [low, high].compactMap { $0 }.joined(separator: " && ")
    }

    /// The condition as an expression ("true" when every version matches).
    static func expression(_ range: Versions, within valid: Versions) -> String {
        Self.for(range, within: valid) ?? "true"
    }
}
