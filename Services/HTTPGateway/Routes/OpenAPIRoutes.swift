import Hummingbird
import NIOCore

/// `/api/openapi.json`: the API's description (OpenAPIDocument).
struct OpenAPIRoutes {
    func register(on router: Router<some RequestContext>) {
        router.get("/api/openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json))
            )
        }
    }
}
