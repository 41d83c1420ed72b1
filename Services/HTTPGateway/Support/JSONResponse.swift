import Foundation
import Hummingbird
import MonologHTTPBodies
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
        do {
            return try JSONBody.decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw APIError.badRequest(error.code, error.message)
        }
    }
}
