import MonologKafkaProtocol
import NIOCore

/// One request as an API's `serve` sees it: the frame (header read, body still bytes), the gateway,
/// and the connection it came on, where its answer takes the place in line it was given on arrival.
/// It lives for one `channelRead`, on the event loop; nothing in it allocates.
struct KafkaRequest {
    let frame: KafkaRequestFrame
    let gateway: KafkaGatewayContext
    let connection: KafkaConnectionHandler
    let channelContext: ChannelHandlerContext
    /// This request's place in the connection's answer order.
    let sequence: Int
    let arrived: NIODeadline

    /// The version the client used.
    var version: Int16 { self.frame.apiVersion }
    var eventLoop: any EventLoop { self.channelContext.eventLoop }

    /// Who sent it, as DescribeGroups shows a group's members.
    var client: KafkaClientIdentity {
        KafkaClientIdentity(clientID: self.frame.header.clientId ?? "", host: self.connection.clientHost)
    }

    /// The body, as the API's generated type at the version the client used.
    func decode<Request: KafkaMessage>(_: Request.Type) throws -> Request {
        var body = self.frame.body
        return try Request(from: &body, version: self.frame.apiVersion)
    }

    /// Queues the answer in this request's place in line, once it is ready.
    func reply<Response: KafkaResponseMessage>(_ response: EventLoopFuture<Response>) {
        self.connection.answer(response, frame: self.frame, arrived: self.arrived, sequence: self.sequence, context: self.channelContext)
    }

    /// Queues an answer that is ready now (on the event loop).
    func reply<Response: KafkaResponseMessage>(_ response: Response) {
        self.connection.answer(
            Result<Response, any Error>.success(response), frame: self.frame, arrived: self.arrived, sequence: self.sequence,
            context: self.channelContext)
    }

    /// Queues an answer already encoded as a response frame (size prefix included).
    func reply(encoded response: ByteBuffer) {
        self.connection.finish(self.sequence, response, context: self.channelContext)
        KafkaMetrics.recordRequest(apiKey: self.frame.apiKey, since: self.arrived)
    }

    /// Called (on the event loop) when the request starts waiting for data that may take long to come
    /// (a long-poll fetch): it gives back its place in the broker-wide request budget, keeping its
    /// place in the connection's line.
    var parked: @Sendable () -> Void {
        let connection = NIOLoopBound(self.connection, eventLoop: self.eventLoop)
        let sequence = self.sequence
        return { connection.value.giveBackPlace(sequence) }
    }

    /// Keeps this request's place in line without answering (Produce with acks=0).
    func replyWithNothing() {
        self.connection.skip(self.sequence, context: self.channelContext)
    }
}
