import Foundation
import MonologStorage
import MonologWriterProtocol
import Synchronization

/// Checks credentials against the users stored in the database: SCRAM lookups for SASL, passwords
/// (SASL PLAIN, HTTP basic) and bearer tokens (HTTP). Blocking reads: call off the event loops.
///
/// A password check costs a PBKDF2 (thousands of HMACs), so a successful one is remembered for a
/// minute by the digest of user and password; a changed or deleted user is seen within that minute.
public final class StoredCredentials: Sendable {
    private let readers: StorageReaderPool
    private let recentlyVerified = Mutex<[[UInt8]: ContinuousClock.Instant]>([:])
    private static let rememberFor = Duration.seconds(60)

    public init(readers: StorageReaderPool) {
        self.readers = readers
    }

    public func scramCredential(user: String, mechanism: ScramMechanism) throws -> ScramCredential? {
        try self.readers.withReader { reader in
            try reader.scramCredential(user: user, mechanism: mechanism.rawValue).map { stored in
                ScramCredential(
                    mechanism: mechanism,
                    salt: stored.salt,
                    iterations: Int(stored.iterations),
                    storedKey: stored.storedKey,
                    serverKey: stored.serverKey
                )
            }
        }
    }

    /// A lookup for `SaslServerExchange`.
    public var lookup: CredentialLookup {
        { [self] user, mechanism in try self.scramCredential(user: user, mechanism: mechanism) }
    }

    /// Whether `password` is the user's (checked against the strongest stored SCRAM credential).
    public func verify(user: String, password: String) throws -> Bool {
        let key = ApiToken.digest(user + "\u{0}" + password)
        let now = ContinuousClock.now
        if let verified = self.recentlyVerified.withLock({ $0[key] }), now - verified < Self.rememberFor { return true }
        for mechanism in ScramMechanism.allCases.reversed() {
            guard let credential = try self.scramCredential(user: user, mechanism: mechanism) else { continue }
            guard credential.verifies(password: password) else { return false }
            self.recentlyVerified.withLock { cache in
                if cache.count > 1000 { cache.removeAll() }
                cache[key] = now
            }
            return true
        }
        return false
    }

    /// The user a bearer token belongs to.
    public func user(forToken token: String) throws -> String? {
        try self.readers.withReader { try $0.user(forTokenSHA256: ApiToken.digest(token)) }
    }
}

extension ScramCredential {
    /// As it is stored (and as the writer's upsert command carries it).
    public var stored: StoredScramCredential {
        StoredScramCredential(
            mechanism: self.mechanism.rawValue,
            salt: self.salt,
            iterations: Int32(self.iterations),
            storedKey: self.storedKey,
            serverKey: self.serverKey
        )
    }
}
