/// Why bytes could not be decoded as a Kafka message. Input from a peer becomes one of these, never a
/// crash, a hang or an allocation of a length the peer claims but does not send.
public struct KafkaDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// The bytes end before the field does.
        case truncated
        /// A length or count that is negative (where null is not allowed) or larger than what follows.
        case invalidLength
        /// An unsigned varint longer than its type allows.
        case invalidVarint
        /// A string that is not UTF-8.
        case invalidString
        /// A version outside the message's valid versions.
        case unsupportedVersion
        /// A null where the version does not allow one.
        case unexpectedNull
    }

    public var code: Code
    /// The field (JSON name) or message being read.
    public var field: String
    public var detail: String

    public init(_ code: Code, field: String, detail: String = "") {
        self.code = code
        self.field = field
        self.detail = detail
    }

    public var description: String { "cannot decode \(self.field): \(self.code)\(self.detail.isEmpty ? "" : " (\(self.detail))")" }

    public static func unsupportedVersion(_ message: String, _ version: Int16) -> Self {
        Self(.unsupportedVersion, field: message, detail: "version \(version)")
    }
}

/// Why a message could not be encoded at a version.
public struct KafkaEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// A field holds a non-default value that this version cannot carry, and is not ignorable.
        case fieldNotInVersion
        /// A null in a field that is not nullable at this version.
        case nullNotAllowed
        case unsupportedVersion
    }

    public var code: Code
    public var field: String
    public var version: Int16

    public var description: String { "cannot encode \(self.field) at version \(self.version): \(self.code)" }

    public static func fieldNotInVersion(_ field: String, _ version: Int16) -> Self {
        Self(code: .fieldNotInVersion, field: field, version: version)
    }

    public static func nullNotAllowed(_ field: String, _ version: Int16) -> Self {
        Self(code: .nullNotAllowed, field: field, version: version)
    }

    public static func unsupportedVersion(_ message: String, _ version: Int16) -> Self {
        Self(code: .unsupportedVersion, field: message, version: version)
    }
}
