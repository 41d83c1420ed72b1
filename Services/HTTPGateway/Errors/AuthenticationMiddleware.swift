import Foundation
import Hummingbird
import MonologSecurity
import NIOPosix

/// With `--http-auth true`, every request but the health probes must carry a user's bearer token
/// (`Authorization: Bearer mlg_…`, made by `monolog-supervisor users add`) or that user's name and
/// password (`Authorization: Basic …`, the same users as SASL). Otherwise: 401 with the JSON error shape
/// and a challenge, so a browser asks for a password before showing the console.
struct AuthenticationMiddleware<Context: RequestContext>: RouterMiddleware {
    let credentials: StoredCredentials
    let threads: NIOThreadPool

    /// Probes stay open: a load balancer or the supervisor asks them without credentials.
    static var openPaths: Set<String> { ["/healthz", "/readyz"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.openPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw Self.unauthorized("this broker needs a bearer token or basic credentials")
        }
        let credentials = self.credentials
        let accepted: Bool
        if let token = Self.value(of: header, scheme: "Bearer") {
            accepted = try await self.threads.runIfActive { try credentials.user(forToken: token) != nil }
        } else if let encoded = Self.value(of: header, scheme: "Basic"),
            let decoded = Data(base64Encoded: encoded).flatMap({ String(data: $0, encoding: .utf8) }),
            let colon = decoded.firstIndex(of: ":")
        {
            let user = String(decoded[..<colon])
            let password = String(decoded[decoded.index(after: colon)...])
            accepted = try await self.threads.runIfActive { try credentials.verify(user: user, password: password) }
        } else {
            throw Self.unauthorized("the Authorization header must be Bearer or Basic")
        }
        guard accepted else { throw Self.unauthorized("invalid credentials") }
        return try await next(request, context)
    }

    /// The credentials after "Scheme " (the scheme compared without regard to case).
    static func value(of header: String, scheme: String) -> String? {
        guard header.count > scheme.count + 1, header.prefix(scheme.count).lowercased() == scheme.lowercased(),
            header.dropFirst(scheme.count).first == " "
        else { return nil }
        return header.dropFirst(scheme.count + 1).trimmingCharacters(in: .whitespaces)
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(
            status: .unauthorized,
            code: "unauthorized",
            message: message,
            headers: [.wwwAuthenticate: #"Basic realm="monolog", Bearer realm="monolog""#]
        )
    }
}
