import MonologKafkaProtocol
import MonologSecurity
import NIOCore
import NIOPosix

/// SaslAuthenticate (key 36), versions 0–2: one SASL token in, the mechanism's next token out. A failed
/// authentication answers SASL_AUTHENTICATION_FAILED with a message and the connection is closed;
/// re-authentication (KIP-368) is not offered, so the session lifetime is 0.
enum SaslAuthenticateAPI {
    static let entry = SupportedAPIs.Entry(
        apiKey: SaslAuthenticateRequest.apiKey,
        name: "SaslAuthenticate",
        minVersion: 0,
        maxVersion: 2,
        allowedBeforeAuthentication: true,
        serve: serve
    )

    /// Runs one step of the connection's exchange; a failure (or a token out of turn) closes the
    /// connection after the answer.
    static func serve(_ request: KafkaRequest) throws {
        let authenticate = try request.decode(SaslAuthenticateRequest.self)
        let connection = request.connection
        guard let exchange = connection.takeToken() else {
            connection.closeAfterAnswer(to: request.sequence)
            request.reply(self.illegalState())
            return
        }
        let handler = NIOLoopBound(connection, eventLoop: request.eventLoop)
        let sequence = request.sequence
        let step = self.step(exchange, token: Array(authenticate.authBytes.readableBytesView), context: request.gateway, on: request.eventLoop)
        request.reply(
            step.map { result in
                handler.value.advance(to: result.step, exchange: result.exchange, bareTokens: false)
                if case .failed = result.step { handler.value.closeAfterAnswer(to: sequence) }
                return self.response(for: result.step)
            })
    }

    /// Runs one step of `exchange` off the event loop (credential lookups read the database; PLAIN
    /// runs PBKDF2). Completes with the step and the exchange as it stands after it.
    static func step(
        _ exchange: SaslServerExchange,
        token: [UInt8],
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<(step: SaslServerExchange.Step, exchange: SaslServerExchange)> {
        context.threads.runIfActive(eventLoop: eventLoop) {
            var exchange = exchange
            let step = exchange.step(token)
            return (step, exchange)
        }
    }

    static func response(for step: SaslServerExchange.Step) -> SaslAuthenticateResponse {
        var response = SaslAuthenticateResponse()
        response.errorMessage = nil
        switch step {
        case .challenge(let token), .authenticated(_, let token):
            response.authBytes = ByteBuffer(bytes: token)
        case .failed(let message):
            response.errorCode = KafkaErrorCode.saslAuthenticationFailed
            response.errorMessage = message
        }
        return response
    }

    static func illegalState() -> SaslAuthenticateResponse {
        var response = SaslAuthenticateResponse()
        response.errorCode = KafkaErrorCode.illegalSaslState
        response.errorMessage = "SaslAuthenticate before a SaslHandshake that chose a mechanism"
        return response
    }
}
