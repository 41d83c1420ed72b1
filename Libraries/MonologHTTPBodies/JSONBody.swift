import Foundation

/// Decodes a request body as JSON, turning every failure into a `RequestBodyError` that names the field.
/// Kept apart from the HTTP server so that it can be fuzzed on its own (Fuzz/).
public enum JSONBody {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: Data) throws(RequestBodyError) -> T {
        guard !bytes.isEmpty else { throw RequestBodyError("invalid_json", "request body is empty") }
        do {
            return try JSONDecoder().decode(T.self, from: bytes)
        } catch let error as DecodingError {
            throw RequestBodyError(Self.code(for: error), Self.describe(error))
        } catch {
            throw RequestBodyError("invalid_json", "request body is not valid JSON")
        }
    }

    /// Syntax errors are `invalid_json`; valid JSON of the wrong shape (a missing field, a wrong type,
    /// a number out of range) is `invalid_request`, naming the field.
    private static func code(for error: DecodingError) -> String {
        if case .dataCorrupted(let context) = error, context.codingPath.isEmpty { return "invalid_json" }
        return "invalid_request"
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "\(subject(context.codingPath + [key])) is required"
        case .typeMismatch(let type, let context):
            return "\(subject(context.codingPath)) must be \(typeName(type))"
        case .valueNotFound(_, let context):
            return "\(subject(context.codingPath)) must not be null"
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return "\(subject(context.codingPath)) is out of range or malformed"
        case .dataCorrupted:
            return "request body is not valid JSON"
        @unknown default:
            return "request body does not match the expected shape"
        }
    }

    /// "field '[2].headers.a'" (array positions in brackets), or "the body" itself.
    private static func subject(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text.isEmpty ? "the body" : "field '\(text)'"
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int32.Type, is Int64.Type, is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        case is [String: Any].Type, is [String: String].Type: "an object"
        default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
