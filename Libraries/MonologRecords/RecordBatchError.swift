/// Why a record batch was refused. Input from a peer becomes one of these, never a crash.
public struct RecordBatchError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// The bytes end before the structure does.
        case truncated
        /// A length, count or field is out of range.
        case malformed
        /// The stored CRC-32C does not match the bytes.
        case corrupt
        /// Magic 0/1 message sets, or a compression codec this build cannot read.
        case unsupported
    }

    public var code: Code
    /// Meant for logs and error messages.
    public var detail: String

    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    public static func truncated(_ what: String) -> Self { .init(code: .truncated, detail: "truncated \(what)") }
    public static func malformed(_ detail: String) -> Self { .init(code: .malformed, detail: detail) }
    public static func corrupt(_ detail: String) -> Self { .init(code: .corrupt, detail: detail) }
    public static func unsupported(_ detail: String) -> Self { .init(code: .unsupported, detail: detail) }

    public var description: String { self.detail }
}
