import MonologConfig
import MonologKafkaProtocol
import MonologSecurity

/// SaslHandshake (key 17), versions 0–1: the client names its mechanism; the answer lists the enabled
/// ones, with UNSUPPORTED_SASL_MECHANISM when its choice is not among them. Served on SASL listeners
/// only (elsewhere it is ILLEGAL_SASL_STATE, as in Kafka).
enum SaslHandshakeAPI {
    static let entry = SupportedAPIs.Entry(
        apiKey: SaslHandshakeRequest.apiKey,
        name: "SaslHandshake",
        minVersion: 0,
        maxVersion: 1,
        allowedBeforeAuthentication: true,
        serve: serve
    )

    /// Starts the connection's SASL exchange when the mechanism is accepted.
    static func serve(_ request: KafkaRequest) throws {
        let answer = self.respond(to: try request.decode(SaslHandshakeRequest.self), state: request.connection.sasl, context: request.gateway)
        if let exchange = answer.exchange { request.connection.startExchange(exchange, bareTokens: request.version == 0) }
        request.reply(answer.response)
    }

    /// The answer, and the exchange to start when the mechanism is accepted.
    static func respond(
        to request: SaslHandshakeRequest,
        state: SaslAuthentication,
        context: KafkaGatewayContext
    ) -> (response: SaslHandshakeResponse, exchange: SaslServerExchange?) {
        var response = SaslHandshakeResponse()
        let enabled = context.settings.security.saslMechanisms
        response.mechanisms = enabled
        guard case .awaitingHandshake = state else {
            response.errorCode = KafkaErrorCode.illegalSaslState
            return (response, nil)
        }
        guard enabled.contains(request.mechanism), let mechanism = SaslServerExchange.Mechanism(name: request.mechanism) else {
            response.errorCode = KafkaErrorCode.unsupportedSaslMechanism
            return (response, nil)
        }
        return (response, SaslServerExchange(mechanism: mechanism, lookup: context.credentials.lookup, decoy: context.credentials.decoy))
    }
}
