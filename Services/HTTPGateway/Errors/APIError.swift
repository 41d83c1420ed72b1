import Foundation
import Hummingbird
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol

/// Every HTTP error has one shape: `{"error": {"code": "<stable code>", "message": "<for people>"}}`.
/// A client's mistake is a 4xx; only our own failures are 5xx.
struct APIError: HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    /// Extra response headers (a 401's challenge).
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse.make(["error": ["code": self.code, "message": self.message]])
        response.status = self.status
        response.headers.append(contentsOf: self.headers)
        return response
    }

    static func badRequest(_ code: String, _ message: String) -> APIError {
        APIError(status: .badRequest, code: code, message: message)
    }

    static func notFound(_ code: String, _ message: String) -> APIError {
        APIError(status: .notFound, code: code, message: message)
    }

    static func unknownTopic(_ name: String) -> APIError {
        .notFound("unknown_topic", "topic '\(name)' does not exist")
    }

    /// 400 `invalid_record`: messages the topic refuses (no key in a compacted topic), named by their
    /// position in the request's array (`positions[i]` is the array index of the batch's record i).
    static func invalidRecord(_ error: WriterClientError, positions: [Int]?) -> APIError {
        guard let positions else { return .badRequest("invalid_record", error.recordErrors.first?.message ?? error.message) }
        let refused = error.recordErrors.compactMap { recordError in
            positions.indices.contains(Int(recordError.batchIndex)) ? "[\(positions[Int(recordError.batchIndex)])]: \(recordError.message)" : nil
        }
        return .badRequest("invalid_record", refused.isEmpty ? error.message : "messages refused: " + refused.joined(separator: "; "))
    }

    static let internalError = APIError(
        status: .internalServerError,
        code: "internal_error",
        message: "the server failed to handle the request; see its log"
    )
}

extension APIError {
    /// Maps the storage writer's answer to what an HTTP client should see.
    init(_ error: WriterClientError) {
        switch error.code {
        case .unavailable, .connectionLost:
            self.init(status: .serviceUnavailable, code: "writer_unavailable", message: error.message)
        case .unexpectedResponse:
            self = .internalError
        case .rejected(let code):
            switch code {
            case .unknownTopic: self.init(status: .notFound, code: "unknown_topic", message: error.message)
            case .topicAlreadyExists: self.init(status: .conflict, code: "topic_exists", message: error.message)
            case .invalidTopicName: self.init(status: .badRequest, code: "invalid_topic_name", message: error.message)
            case .invalidPartition: self.init(status: .badRequest, code: "invalid_partition", message: error.message)
            case .invalidConfig: self.init(status: .badRequest, code: "invalid_config", message: error.message)
            case .invalidRequest, .corruptBatch:
                self.init(status: .badRequest, code: "invalid_request", message: error.message)
            case .requestTooLarge: self.init(status: .contentTooLarge, code: "payload_too_large", message: error.message)
            case .invalidRecord: self.init(status: .badRequest, code: "invalid_record", message: error.message)
            case .storageFull:
                self.init(status: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), code: "insufficient_storage", message: error.message)
            default: self.init(status: .serviceUnavailable, code: "writer_unavailable", message: error.message)
            }
        }
    }
}
