import Foundation

/// Looks up a user's stored SCRAM credential (nil: no such user or mechanism). Blocking: it reads the
/// database, so exchanges run off the event loop.
public typealias CredentialLookup = @Sendable (_ user: String, _ mechanism: ScramMechanism) throws -> ScramCredential?

/// The made-up credential an unknown user is answered with (see `ScramDecoy`).
public typealias DecoyCredential = @Sendable (_ user: String, _ mechanism: ScramMechanism) throws -> ScramCredential

/// The broker's side of one SASL authentication: PLAIN (RFC 4616, checked against the stored SCRAM
/// credential) or SCRAM (RFC 5802: client-first, server-first, client-final, server-final). Each
/// client token gets a step: a challenge to send back, success (with a final token), or failure.
public struct SaslServerExchange: Sendable {
    public enum Mechanism: Sendable, Equatable {
        case plain
        case scram(ScramMechanism)

        public init?(name: String) {
            if name == "PLAIN" {
                self = .plain
            } else if let scram = ScramMechanism(rawValue: name) {
                self = .scram(scram)
            } else {
                return nil
            }
        }

        public var name: String {
            switch self {
            case .plain: "PLAIN"
            case .scram(let scram): scram.rawValue
            }
        }
    }

    public enum Step: Sendable, Equatable {
        /// Send this token and wait for the client's next one.
        case challenge([UInt8])
        /// Authenticated as `user`; send this final token (empty for PLAIN).
        case authenticated(user: String, finalToken: [UInt8])
        /// Refused; the message is safe to show the client (it never says whether the user exists).
        case failed(String)
    }

    private enum State: Sendable {
        case initial
        /// SCRAM after server-first: what client-final must match.
        case awaitingClientFinal(user: String, credential: ScramCredential, nonce: String, clientFirstBare: String, serverFirst: String)
        case done
    }

    public let mechanism: Mechanism
    private var state = State.initial
    private let lookup: CredentialLookup
    private let decoy: DecoyCredential
    private let serverNonce: String

    /// `serverNonce` is random unless a test fixes it.
    public init(mechanism: Mechanism, lookup: @escaping CredentialLookup, decoy: @escaping DecoyCredential, serverNonce: String? = nil) {
        self.mechanism = mechanism
        self.lookup = lookup
        self.decoy = decoy
        self.serverNonce = serverNonce ?? Self.randomNonce()
    }

    static let refused = "Authentication failed: invalid credentials"

    public mutating func step(_ token: [UInt8]) -> Step {
        let state = self.state
        self.state = .done
        do {
            switch (self.mechanism, state) {
            case (.plain, .initial):
                return try self.plain(token)
            case (.scram(let scram), .initial):
                return try self.clientFirst(token, scram)
            case (.scram, .awaitingClientFinal(let user, let credential, let nonce, let clientFirstBare, let serverFirst)):
                return try self.clientFinal(token, user: user, credential: credential, nonce: nonce, clientFirstBare: clientFirstBare, serverFirst: serverFirst)
            default:
                return .failed("Authentication failed: the exchange is already over")
            }
        } catch let failure as Failure {
            return .failed(failure.message)
        } catch {
            return .failed("Authentication failed: credentials could not be read")
        }
    }

    struct Failure: Error {
        var message: String
    }

    // PLAIN: "authzid NUL authcid NUL password"; the authzid, if any, must be the user itself.
    private func plain(_ token: [UInt8]) throws -> Step {
        let parts = token.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard parts.count == 3, !parts[1].isEmpty else { throw Failure(message: "Authentication failed: malformed PLAIN token") }
        let (authzid, user, password) = (parts[0], parts[1], parts[2])
        guard authzid.isEmpty || authzid == user else {
            throw Failure(message: "Authentication failed: a user may not act as another (authzid '\(authzid)')")
        }
        // Any stored mechanism can check a password; SHA-512 first.
        for scram in ScramMechanism.allCases.reversed() {
            if let credential = try self.lookup(user, scram) {
                return credential.verifies(password: password) ? .authenticated(user: user, finalToken: []) : .failed(Self.refused)
            }
        }
        // An unknown user costs the same PBKDF2 as a wrong password, so the time taken does not tell.
        _ = try self.decoy(user, .sha512).verifies(password: password)
        return .failed(Self.refused)
    }

    // client-first-message: gs2-header client-first-message-bare, e.g. "n,,n=user,r=nonce".
    private mutating func clientFirst(_ token: [UInt8], _ scram: ScramMechanism) throws -> Step {
        let message = String(decoding: token, as: UTF8.self)
        let fields = message.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0] == "n" || fields[0] == "y" else {
            throw Failure(message: "Authentication failed: malformed SCRAM client-first message (channel binding is not supported)")
        }
        let bare = String(fields[2])
        let attributes = Self.attributes(bare)
        guard let escapedUser = attributes["n"], let user = Self.unescape(escapedUser), let clientNonce = attributes["r"], !clientNonce.isEmpty else {
            throw Failure(message: "Authentication failed: malformed SCRAM client-first message")
        }
        if fields[1].hasPrefix("a="), Self.unescape(String(fields[1].dropFirst(2))) != user {
            throw Failure(message: "Authentication failed: a user may not act as another")
        }
        // Kafka's delegation-token extension is not offered.
        if attributes["tokenauth"] == "true" { throw Failure(message: "Authentication failed: delegation tokens are not supported") }
        // An unknown user gets a made-up credential (salt, iterations, keys) and fails at the proof as a
        // wrong password does, so no answer reveals which users exist.
        let credential = try self.lookup(user, scram) ?? self.decoy(user, scram)
        let nonce = clientNonce + self.serverNonce
        let serverFirst = "r=\(nonce),s=\(Data(credential.salt).base64EncodedString()),i=\(credential.iterations)"
        self.state = .awaitingClientFinal(user: user, credential: credential, nonce: nonce, clientFirstBare: bare, serverFirst: serverFirst)
        return .challenge(Array(serverFirst.utf8))
    }

    // client-final-message: "c=biws,r=nonce,p=proof".
    private func clientFinal(
        _ token: [UInt8],
        user: String,
        credential: ScramCredential,
        nonce: String,
        clientFirstBare: String,
        serverFirst: String
    ) throws -> Step {
        let message = String(decoding: token, as: UTF8.self)
        guard let proofStart = message.range(of: ",p=") else { throw Failure(message: "Authentication failed: malformed SCRAM client-final message") }
        let withoutProof = String(message[..<proofStart.lowerBound])
        let attributes = Self.attributes(message)
        // RFC 5802 wants the server-first nonce back. librdkafka before 2.x sends its own nonce in front
        // of it once more; Kafka accepts that (its check is "ends with"), so this does too, in that form only.
        let clientNonce = String(nonce.dropLast(self.serverNonce.count))
        guard attributes["r"] == nonce || attributes["r"] == clientNonce + nonce else {
            throw Failure(message: "Authentication failed: nonce mismatch")
        }
        guard let proofText = attributes["p"], let proof = Data(base64Encoded: proofText).map(Array.init) else {
            throw Failure(message: "Authentication failed: malformed SCRAM proof")
        }
        let scram = credential.mechanism
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let clientSignature = scram.hmac(key: credential.storedKey, authMessage)
        guard proof.count == clientSignature.count else { return .failed(Self.refused) }
        let clientKey = zip(proof, clientSignature).map { $0 ^ $1 }
        guard constantTimeEqual(scram.hash(clientKey), credential.storedKey) else { return .failed(Self.refused) }
        let serverSignature = scram.hmac(key: credential.serverKey, authMessage)
        return .authenticated(user: user, finalToken: Array("v=\(Data(serverSignature).base64EncodedString())".utf8))
    }

    /// "k=v,k=v" → [k: v] (a value may contain "=").
    static func attributes(_ message: String) -> [String: String] {
        var result: [String: String] = [:]
        for field in message.split(separator: ",") {
            guard let equals = field.firstIndex(of: "=") else { continue }
            result[String(field[..<equals])] = String(field[field.index(after: equals)...])
        }
        return result
    }

    /// SCRAM's saslname: "=2C" is ",", "=3D" is "="; any other "=" is malformed.
    static func unescape(_ name: String) -> String? {
        var result = ""
        var rest = Substring(name)
        while let equals = rest.firstIndex(of: "=") {
            result += rest[..<equals]
            let code = rest[rest.index(after: equals)...].prefix(2)
            switch code {
            case "2C": result += ","
            case "3D": result += "="
            default: return nil
            }
            rest = rest[rest.index(equals, offsetBy: 3)...]
        }
        return result + rest
    }

    static func randomNonce() -> String {
        Data((0..<24).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
            .replacingOccurrences(of: ",", with: "")
    }
}
