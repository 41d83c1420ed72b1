/// Made-up SCRAM credentials for users that do not exist (RFC 5802, section 9): the server's first
/// message for an unknown user looks like a real user's (a salt of the same length, the default
/// iteration count), is the same every time for the same name, and the exchange fails at the proof
/// exactly as a wrong password does. So SCRAM does not tell a client which users exist.
///
/// Everything derives from a server secret (made once by the storage writer, kept in the database) and
/// the user's name, so the answer is stable across restarts and cannot be predicted without the secret.
public struct ScramDecoy: Sendable {
    private let secret: [UInt8]

    public init(secret: [UInt8]) {
        self.secret = secret
    }

    public func credential(user: String, mechanism: ScramMechanism) -> ScramCredential {
        func derive(_ purpose: String) -> [UInt8] {
            mechanism.hmac(key: self.secret, Array("\(purpose)\u{0}\(mechanism.rawValue)\u{0}\(user)".utf8))
        }
        return ScramCredential(
            mechanism: mechanism,
            salt: Array(derive("salt").prefix(ScramCredential.saltBytes)),
            iterations: ScramMechanism.defaultIterations,
            storedKey: derive("stored-key"),
            serverKey: derive("server-key")
        )
    }
}
