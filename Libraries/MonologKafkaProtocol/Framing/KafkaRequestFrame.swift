import NIOCore

/// One request frame split into its header and its body (still bytes: the body's type depends on the
/// API, which the caller dispatches on).
public struct KafkaRequestFrame: Sendable {
    public var header: RequestHeader
    /// The request body, a slice of the frame (not a copy).
    public var body: ByteBuffer

    public var apiKey: Int16 { self.header.requestApiKey }
    public var apiVersion: Int16 { self.header.requestApiVersion }
    public var correlationID: Int32 { self.header.correlationId }

    /// Decodes the header at the version the API and version call for.
    public init(_ frame: ByteBuffer) throws(KafkaDecodingError) {
        guard let apiKey = frame.getInteger(at: frame.readerIndex, as: Int16.self),
            let apiVersion = frame.getInteger(at: frame.readerIndex + 2, as: Int16.self)
        else { throw KafkaDecodingError(.truncated, field: "RequestHeader") }
        var body = frame
        let headerVersion = KafkaHeaderVersions.requestHeaderVersion(apiKey: apiKey, apiVersion: apiVersion)
        self.header = try RequestHeader(from: &body, version: headerVersion)
        self.body = body
    }
}

extension KafkaRequestFrame {
    /// Appends a whole request frame: size, request header at the version the API and version call for,
    /// body. For Monolog's own clients of the protocol (the supervisor's readiness probe).
    public static func encode<Request: KafkaRequestMessage>(
        _ request: Request,
        version: Int16,
        correlationID: Int32,
        clientID: String,
        into buffer: inout ByteBuffer
    ) throws(KafkaEncodingError) {
        let start = buffer.writerIndex
        buffer.writeInteger(Int32(0))  // size, patched below
        var header = RequestHeader()
        header.requestApiKey = Request.apiKey
        header.requestApiVersion = version
        header.correlationId = correlationID
        header.clientId = clientID
        try header.encode(into: &buffer, version: KafkaHeaderVersions.requestHeaderVersion(apiKey: Request.apiKey, apiVersion: version))
        try request.encode(into: &buffer, version: version)
        buffer.setInteger(Int32(buffer.writerIndex - start - 4), at: start)
    }
}

/// Builds response frames: size, response header at the right version, body.
public enum KafkaResponseFrame {
    public static func encode<Response: KafkaResponseMessage>(
        _ response: Response,
        version: Int16,
        correlationID: Int32,
        into buffer: inout ByteBuffer
    ) throws(KafkaEncodingError) {
        let start = buffer.writerIndex
        buffer.writeInteger(Int32(0))  // size, patched below
        var header = ResponseHeader()
        header.correlationId = correlationID
        try header.encode(into: &buffer, version: KafkaHeaderVersions.responseHeaderVersion(apiKey: Response.apiKey, apiVersion: version))
        try response.encode(into: &buffer, version: version)
        buffer.setInteger(Int32(buffer.writerIndex - start - 4), at: start)
    }
}
