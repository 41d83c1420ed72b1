import MonologConfig
import MonologKafkaProtocol
import MonologSecurity

/// SaslHandshake (key 17), versions 0–1: the client names its mechanism; the answer lists the enabled
/// ones, with UNSUPPORTED_SASL_MECHANISM when its choice is not among them. Served on SASL listeners
/// only (elsewhere it is ILLEGAL_SASL_STATE, as in Kafka).
enum SaslHandshakeAPI {
    static let range = SupportedAPIs.Entry(apiKey: SaslHandshakeRequest.apiKey, name: "SaslHandshake", minVersion: 0, maxVersion: 1)

    /// What a connection may send before it has authenticated.
    static let unauthenticatedAPIs: Set<Int16> = [ApiVersionsRequest.apiKey, SaslHandshakeRequest.apiKey, SaslAuthenticateRequest.apiKey]

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
        return (response, SaslServerExchange(mechanism: mechanism, lookup: context.credentials.lookup))
    }
}
