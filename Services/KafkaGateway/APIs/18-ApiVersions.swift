import MonologKafkaProtocol
import NIOCore

/// ApiVersions (key 18), versions 0–4. A client asks first, before anything else, to learn what the
/// broker supports; the answer is computed from `SupportedAPIs`, so nothing unimplemented is advertised.
enum ApiVersionsAPI {
    static let entry = SupportedAPIs.Entry(
        apiKey: ApiVersionsRequest.apiKey,
        name: "ApiVersions",
        minVersion: 0,
        maxVersion: ApiVersionsRequest.validVersions.highest,
        allowedBeforeAuthentication: true,
        servesUnsupportedVersions: true,
        serve: serve
    )

    static func serve(_ request: KafkaRequest) throws {
        request.reply(encoded: try self.respond(to: request.frame, allocator: request.channelContext.channel.allocator))
    }

    /// The response frame for a request at `version`. A version above the supported range is answered
    /// in the v0 layout with UNSUPPORTED_VERSION and the supported ranges, so the client can retry with a
    /// version both sides know (KIP-511); its body is not parsed.
    static func respond(to frame: KafkaRequestFrame, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var response = ApiVersionsResponse()
        response.apiKeys = SupportedAPIs.all.map { entry in
            var api = ApiVersionsResponse.ApiVersion()
            api.apiKey = entry.apiKey
            api.minVersion = entry.minVersion
            api.maxVersion = entry.maxVersion
            return api
        }
        var version = frame.apiVersion
        if version > self.entry.maxVersion || version < 0 {
            response.errorCode = KafkaErrorCode.unsupportedVersion
            version = 0
        } else {
            var body = frame.body
            _ = try ApiVersionsRequest(from: &body, version: version)  // a malformed body closes the connection
        }
        var buffer = allocator.buffer(capacity: 16 + response.apiKeys.count * 8)
        try KafkaResponseFrame.encode(response, version: version, correlationID: frame.correlationID, into: &buffer)
        return buffer
    }
}
