import Crypto
import CryptoExtras
import Foundation

/// SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), as Kafka names and numbers them.
public enum ScramMechanism: String, Sendable, CaseIterable, Codable {
    case sha256 = "SCRAM-SHA-256"
    case sha512 = "SCRAM-SHA-512"

    /// The number DescribeUserScramCredentials and AlterUserScramCredentials use.
    public var kafkaType: Int8 {
        switch self {
        case .sha256: 1
        case .sha512: 2
        }
    }

    public init?(kafkaType: Int8) {
        guard let mechanism = Self.allCases.first(where: { $0.kafkaType == kafkaType }) else { return nil }
        self = mechanism
    }

    /// Kafka's bounds on iterations: fewer is too weak, more is refused as a denial-of-service risk.
    public static let iterationRange = 4096...16384
    /// What `monolog-supervisor users add` uses, and what made-up answers to unknown users show.
    public static let defaultIterations = 8192

    var keyBytes: Int {
        switch self {
        case .sha256: 32
        case .sha512: 64
        }
    }

    /// Hi(password, salt, i) of RFC 5802: PBKDF2 with HMAC of this mechanism's hash.
    public func saltedPassword(_ password: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        let function: KDF.Insecure.PBKDF2.HashFunction = self == .sha256 ? .sha256 : .sha512
        // The iteration bounds are Kafka's (4096 and up), below swift-crypto's default minimum for
        // stored-password hashing, hence the unchecked variant.
        let key = try? KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8),
            salt: salt,
            using: function,
            outputByteCount: self.keyBytes,
            unsafeUncheckedRounds: iterations
        )
        return key.map { $0.withUnsafeBytes { Array($0) } } ?? []
    }

    func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        switch self {
        case .sha256: Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        case .sha512: Array(HMAC<SHA512>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        }
    }

    func hash(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .sha256: Array(SHA256.hash(data: bytes))
        case .sha512: Array(SHA512.hash(data: bytes))
        }
    }
}

/// What the broker stores for one user and mechanism: never the password, only what verifies a proof.
public struct ScramCredential: Sendable, Equatable {
    public var mechanism: ScramMechanism
    public var salt: [UInt8]
    public var iterations: Int
    /// H(HMAC(SaltedPassword, "Client Key")): checks a client's proof.
    public var storedKey: [UInt8]
    /// HMAC(SaltedPassword, "Server Key"): proves the broker knew the credential.
    public var serverKey: [UInt8]

    public init(mechanism: ScramMechanism, salt: [UInt8], iterations: Int, storedKey: [UInt8], serverKey: [UInt8]) {
        self.mechanism = mechanism
        self.salt = salt
        self.iterations = iterations
        self.storedKey = storedKey
        self.serverKey = serverKey
    }

    /// From a salted password, as AlterUserScramCredentials carries it (the client salted it).
    public init(mechanism: ScramMechanism, salt: [UInt8], iterations: Int, saltedPassword: [UInt8]) {
        let clientKey = mechanism.hmac(key: saltedPassword, Array("Client Key".utf8))
        self.init(
            mechanism: mechanism,
            salt: salt,
            iterations: iterations,
            storedKey: mechanism.hash(clientKey),
            serverKey: mechanism.hmac(key: saltedPassword, Array("Server Key".utf8))
        )
    }

    /// Bytes of the random salt a new credential gets.
    public static let saltBytes = 16

    /// From a password, with a fresh random salt.
    public init(mechanism: ScramMechanism, password: String, iterations: Int = 4096) {
        let salt = (0..<Self.saltBytes).map { _ in UInt8.random(in: .min ... .max) }
        self.init(
            mechanism: mechanism, salt: salt, iterations: iterations, saltedPassword: mechanism.saltedPassword(password, salt: salt, iterations: iterations))
    }

    /// Whether `password` is this credential's password (for PLAIN and HTTP basic auth, which send it).
    public func verifies(password: String) -> Bool {
        let other = ScramCredential(
            mechanism: self.mechanism,
            salt: self.salt,
            iterations: self.iterations,
            saltedPassword: self.mechanism.saltedPassword(password, salt: self.salt, iterations: self.iterations)
        )
        return constantTimeEqual(other.storedKey, self.storedKey)
    }
}

/// Compares secrets without an early exit, so the time taken does not tell how much matched.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}
