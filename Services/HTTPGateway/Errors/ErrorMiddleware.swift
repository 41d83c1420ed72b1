import Hummingbird
import Logging
import MonologWriterClient

/// Turns every error into the one JSON error shape: our `APIError`s pass through, Hummingbird's own
/// (404 for an unknown route, 413 for an oversized body) get a code, anything else is a logged 500
/// whose body reveals nothing internal.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as WriterClientError {
            throw APIError(error)
        } catch let error as HTTPError {
            throw APIError(status: error.status, code: Self.code(for: error.status), message: error.body ?? error.status.reasonPhrase)
        } catch {
            self.logger.error(
                "request failed",
                metadata: ["http.path": "\(request.uri.path)", "error": "\(error)"]
            )
            throw APIError.internalError
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .contentTooLarge: "payload_too_large"
        case .badRequest: "bad_request"
        default: status.code < 500 ? "bad_request" : "internal_error"
        }
    }
}
