import MonologKafkaProtocol
import MonologTestSupport
import NIOCore
import Testing

/// One request to the real Kafka gateway and its decoded response, with the protocol library's codecs:
/// for APIs no installed client exercises in a way a test can observe.
func kafkaExchange<Request: KafkaRequestMessage, Response: KafkaMessage>(
    port: Int,
    _ request: Request,
    version: Int16,
    as _: Response.Type
) async throws -> Response {
    try await blocking {
        guard let response = try KafkaSession(port: port).exchange(request, version: version, as: Response.self) else {
            throw KafkaExchangeError.closed
        }
        return response
    }
}

enum KafkaExchangeError: Error { case closed }

/// One connection to the real Kafka gateway carrying several requests, encoded and decoded with the
/// protocol library (for exchanges that depend on the connection, such as SASL). Blocking.
final class KafkaSession {
    let connection: RawKafkaConnection
    private var correlationID: Int32 = 0

    init(port: Int, receiveTimeout: Duration = .seconds(10)) throws {
        self.connection = try RawKafkaConnection(port: port, receiveTimeout: receiveTimeout)
    }

    func send<Request: KafkaRequestMessage>(_ request: Request, version: Int16) throws {
        self.correlationID += 1
        var header = RequestHeader()
        header.requestApiKey = Request.apiKey
        header.requestApiVersion = version
        header.correlationId = self.correlationID
        header.clientId = "monolog-test"
        var buffer = ByteBuffer()
        try header.encode(into: &buffer, version: KafkaHeaderVersions.requestHeaderVersion(apiKey: Request.apiKey, apiVersion: version))
        try request.encode(into: &buffer, version: version)
        try self.connection.send(bigEndian(Int32(buffer.readableBytes)) + Array(buffer.readableBytesView))
    }

    /// The next response on the connection (to a request sent with `send`), or nil when the broker
    /// closed the connection instead; throws when none comes within the receive timeout.
    func receive<Response: KafkaResponseMessage>(_: Response.Type, version: Int16) throws -> (correlationID: Int32, response: Response)? {
        guard let frame = try self.connection.receiveFrame() else { return nil }
        var body = ByteBuffer(bytes: frame)
        let header = try ResponseHeader(from: &body, version: KafkaHeaderVersions.responseHeaderVersion(apiKey: Response.apiKey, apiVersion: version))
        return (header.correlationId, try Response(from: &body, version: version))
    }

    /// The response, or nil when the broker closed the connection instead.
    func exchange<Request: KafkaRequestMessage, Response: KafkaMessage>(_ request: Request, version: Int16, as _: Response.Type) throws -> Response? {
        try self.send(request, version: version)
        guard let frame = try self.connection.receiveFrame() else { return nil }
        var body = ByteBuffer(bytes: frame)
        _ = try ResponseHeader(from: &body, version: KafkaHeaderVersions.responseHeaderVersion(apiKey: Request.apiKey, apiVersion: version))
        return try Response(from: &body, version: version)
    }
}

/// What a step run with `blocking` saw, checked afterwards on the test's own task: an `#expect` on
/// another thread is not attributed to the test, so it would not fail it.
struct Observations: Sendable {
    private var checks: [(passed: Bool, what: String, line: Int)] = []

    mutating func check(_ passed: Bool, _ what: String = "", line: Int = #line) {
        self.checks.append((passed, what, line))
    }

    func expectAll(sourceLocation: SourceLocation = #_sourceLocation) {
        for check in self.checks { #expect(check.passed, "line \(check.line): \(check.what)", sourceLocation: sourceLocation) }
    }
}
