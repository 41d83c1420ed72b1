import Foundation
import Hummingbird
import NIOCore

/// JSON bodies with sorted keys, so responses are stable for tests and diffs.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

/// Decodes a request body as JSON, turning every failure into a 400 or 413 with a clear message.
enum JSONRequest {
    /// Largest body accepted (1 MiB): far more than one message needs, small enough to stay cheap.
    static let maxBodyBytes = 1024 * 1024

    static let tooLarge = APIError(
        status: .contentTooLarge,
        code: "payload_too_large",
        message: "request body is larger than \(maxBodyBytes) bytes"
    )

    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        }
        guard body.readableBytes > 0 else { throw APIError.badRequest("invalid_json", "request body is empty") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            throw APIError.badRequest(Self.code(for: error), Self.describe(error))
        } catch {
            throw APIError.badRequest("invalid_json", "request body is not valid JSON")
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
