/// Kafka's rules for topic names: 1 to 249 characters of ASCII letters, digits, `.`, `_` and `-`,
/// and not `.` or `..` (which would be paths).
public enum TopicName {
    public static let maxLength = 249

    /// nil when the name is legal, otherwise why not.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "topic name is empty" }
        if name == "." || name == ".." { return "topic name cannot be '.' or '..'" }
        if name.utf8.count > maxLength { return "topic name is longer than \(maxLength) characters" }
        let legal = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
        return legal ? nil : "topic name may contain only ASCII letters, digits, '.', '_' and '-'"
    }

    public static func isValid(_ name: String) -> Bool { problem(with: name) == nil }
}
