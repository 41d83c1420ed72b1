import MonologSecurity

/// Where one connection stands with SASL. On a SASL listener a connection starts `awaitingHandshake`
/// and may send only ApiVersions, SaslHandshake and SaslAuthenticate until it is `authenticated`; on
/// other listeners it starts `notRequired`.
enum SaslAuthentication {
    case notRequired
    case awaitingHandshake
    /// SaslHandshake chose the mechanism. After a v0 handshake the client sends bare tokens (a length
    /// and the bytes, no Kafka header); after v1 it wraps them in SaslAuthenticate.
    case exchanging(SaslServerExchange, bareTokens: Bool)
    /// A token is being checked (off the event loop); nothing else is accepted meanwhile.
    case checking
    case authenticated(user: String)
    case failed

    /// Whether a request for this API (nil: one not served) may be served now.
    func allows(_ api: SupportedAPIs.Entry?) -> Bool {
        switch self {
        case .notRequired, .authenticated: true
        case .awaitingHandshake, .exchanging, .checking: api?.allowedBeforeAuthentication ?? false
        case .failed: false
        }
    }

    /// Whether the connection's large frames reserve their size in the request budget before their
    /// body is read. Not before authentication on a SASL listener: there `sasl.server.max.receive.size`
    /// bounds each connection's frame, and unauthenticated connections must not take the reservations
    /// authenticated clients' large frames need.
    var mayReserveFrames: Bool {
        switch self {
        case .notRequired, .authenticated: true
        case .awaitingHandshake, .exchanging, .checking, .failed: false
        }
    }

    var expectsBareToken: Bool {
        if case .exchanging(_, bareTokens: true) = self { return true }
        return false
    }
}
