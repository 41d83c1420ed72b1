import MonologKafkaProtocol
import MonologTestSupport
import NIOCore

/// One request to the real Kafka gateway and its decoded response, with the protocol library's codecs:
/// for APIs no installed client exercises in a way a test can observe.
func kafkaExchange<Request: KafkaRequestMessage, Response: KafkaMessage>(
    port: Int,
    _ request: Request,
    version: Int16,
    as _: Response.Type
) async throws -> Response {
    try await blocking {
        var header = RequestHeader()
        header.requestApiKey = Request.apiKey
        header.requestApiVersion = version
        header.correlationId = 42
        header.clientId = "monolog-test"
        var buffer = ByteBuffer()
        try header.encode(into: &buffer, version: KafkaHeaderVersions.requestHeaderVersion(apiKey: Request.apiKey, apiVersion: version))
        try request.encode(into: &buffer, version: version)
        let connection = try RawKafkaConnection(port: port)
        try connection.send(bigEndian(Int32(buffer.readableBytes)) + Array(buffer.readableBytesView))
        guard let frame = try connection.receiveFrame() else { throw KafkaExchangeError.closed }
        var body = ByteBuffer(bytes: frame)
        _ = try ResponseHeader(from: &body, version: KafkaHeaderVersions.responseHeaderVersion(apiKey: Request.apiKey, apiVersion: version))
        return try Response(from: &body, version: version)
    }
}

enum KafkaExchangeError: Error { case closed }
