import Foundation
import MonologStorage
import MonologWriterProtocol
import Synchronization

/// Checks credentials against the users stored in the database: SCRAM lookups for SASL, passwords
/// (SASL PLAIN, HTTP basic) and bearer tokens (HTTP). Blocking reads: call off the event loops.
///
/// A password check costs a PBKDF2 (thousands of HMACs), so a successful one is remembered for a
/// minute by the digest of user and password. The storage writer tells its subscribers when users
/// change (`hear`), and everything remembered is forgotten then, so a removed user or a changed
/// password is refused at the next check.
public final class StoredCredentials: Sendable {
    private let readers: StorageReaderPool
    private let recentlyVerified = Mutex<[[UInt8]: ContinuousClock.Instant]>([:])
    private static let rememberFor = Duration.seconds(60)
    private let decoys = Mutex<ScramDecoy?>(nil)

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

    /// Made-up credentials for unknown users, for `SaslServerExchange`.
    public var decoy: DecoyCredential {
        { [self] user, mechanism in try self.scramDecoy().credential(user: user, mechanism: mechanism) }
    }

    private func scramDecoy() throws -> ScramDecoy {
        if let decoy = self.decoys.withLock({ $0 }) { return decoy }
        guard let secret = try self.readers.withReader({ try $0.scramDecoySecret() }), !secret.isEmpty else {
            throw StoredCredentialsError(message: "the database has no SCRAM decoy secret (schema older than 5)")
        }
        let decoy = ScramDecoy(secret: secret)
        self.decoys.withLock { $0 = decoy }
        return decoy
    }

    /// Forgets every password verified recently, so the next check reads the database.
    public func forgetVerifiedPasswords() {
        self.recentlyVerified.withLock { $0.removeAll() }
    }

    /// Takes the storage writer's notifications: users changed, or the subscription was re-made (and
    /// a change may have been missed meanwhile).
    public func hear(_ notification: WriterNotification) {
        switch notification {
        case .usersChanged, .resubscribed: self.forgetVerifiedPasswords()
        case .watermarks: break
        }
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
        // An unknown user costs the same PBKDF2 as a wrong password, so the time taken does not tell.
        _ = try self.scramDecoy().credential(user: user, mechanism: .sha512).verifies(password: password)
        return false
    }

    /// The user a bearer token belongs to.
    public func user(forToken token: String) throws -> String? {
        try self.readers.withReader { try $0.user(forTokenSHA256: ApiToken.digest(token)) }
    }
}

struct StoredCredentialsError: Error, CustomStringConvertible {
    var message: String
    var description: String { self.message }
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
