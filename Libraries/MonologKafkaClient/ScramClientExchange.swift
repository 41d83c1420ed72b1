import Crypto
import Foundation
import MonologSecurity

/// The client's side of one SCRAM authentication (RFC 5802, with SHA-256 or SHA-512 per RFC 7677):
/// client-first, then client-final with the proof once the server-first message names salt and
/// iterations, then a check of the server's signature, which proves the broker knew the credential
/// (a broker that merely says "yes" is refused). No channel binding ("n,,"), as in Kafka.
///
/// The password is not SASLprep-normalised; Kafka's Java client does not normalise it either, so the
/// same password yields the same salted password on both.
package struct ScramClientExchange: Sendable {
    package let mechanism: ScramMechanism
    private let username: String
    private let password: String
    private let clientNonce: String
    /// What the server's final message must carry, known once client-final is built.
    private var expectedServerSignature: [UInt8]?

    /// Fewer iterations than Kafka's own minimum make the salted password cheap to attack offline by
    /// whoever answered; Kafka's Java client refuses them too. More than the maximum is a server making
    /// the client spin.
    static let iterationRange = ScramMechanism.iterationRange.lowerBound...1_000_000

    /// `clientNonce` is random unless a test fixes it.
    package init(mechanism: ScramMechanism, username: String, password: String, clientNonce: String? = nil) {
        self.mechanism = mechanism
        self.username = username
        self.password = password
        self.clientNonce = clientNonce ?? Self.randomNonce()
    }

    private var clientFirstBare: String { "n=\(Self.escape(self.username)),r=\(self.clientNonce)" }

    /// client-first-message: "n,," (no channel binding, no authzid), then the bare part.
    package func clientFirstMessage() -> [UInt8] {
        Array("n,,\(self.clientFirstBare)".utf8)
    }

    /// client-final-message for the server-first message `serverFirst`: "c=biws,r=<nonce>,p=<proof>".
    package mutating func clientFinalMessage(serverFirst token: [UInt8]) throws -> [UInt8] {
        let serverFirst = String(decoding: token, as: UTF8.self)
        let attributes = Self.attributes(serverFirst)
        if let error = attributes["e"] { throw Self.refused("the broker refused the SCRAM exchange: \(error)") }
        guard attributes["m"] == nil else { throw Self.refused("the broker asks for a SCRAM extension this client does not know") }
        guard let nonce = attributes["r"], nonce.hasPrefix(self.clientNonce), nonce.count > self.clientNonce.count,
            let saltText = attributes["s"], let salt = Data(base64Encoded: saltText), let iterationsText = attributes["i"],
            let iterations = Int(iterationsText)
        else { throw Self.refused("malformed SCRAM server-first message") }
        guard Self.iterationRange.contains(iterations) else {
            throw Self.refused("the broker asks for \(iterations) SCRAM iterations, outside \(Self.iterationRange)")
        }
        let saltedPassword = self.mechanism.saltedPassword(self.password, salt: Array(salt), iterations: iterations)
        let clientKey = self.hmac(key: saltedPassword, Array("Client Key".utf8))
        let storedKey = self.hash(clientKey)
        // "biws" is base64 of the gs2 header "n,,".
        let withoutProof = "c=biws,r=\(nonce)"
        let authMessage = Array("\(self.clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let clientSignature = self.hmac(key: storedKey, authMessage)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = self.hmac(key: saltedPassword, Array("Server Key".utf8))
        self.expectedServerSignature = self.hmac(key: serverKey, authMessage)
        return Array("\(withoutProof),p=\(Data(proof).base64EncodedString())".utf8)
    }

    /// Checks server-final-message: "v=<server signature>" must match what the credential gives.
    package func verifyServerFinal(_ token: [UInt8]) throws {
        let attributes = Self.attributes(String(decoding: token, as: UTF8.self))
        if let error = attributes["e"] { throw Self.refused("the broker refused the SCRAM proof: \(error)") }
        guard let expected = self.expectedServerSignature else { throw Self.refused("SCRAM server-final message before client-final") }
        guard let signatureText = attributes["v"], let signature = Data(base64Encoded: signatureText), Array(signature) == expected else {
            throw Self.refused("the broker's SCRAM signature does not match: it does not know this user's credential")
        }
    }

    private func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        switch self.mechanism {
        case .sha256: Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        case .sha512: Array(HMAC<SHA512>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        }
    }

    private func hash(_ bytes: [UInt8]) -> [UInt8] {
        switch self.mechanism {
        case .sha256: Array(SHA256.hash(data: bytes))
        case .sha512: Array(SHA512.hash(data: bytes))
        }
    }

    private static func refused(_ detail: String) -> KafkaClientError {
        KafkaClientError(.authentication, detail)
    }

    /// "k=v,k=v" → [k: v] (a value may contain "=", as base64 does).
    static func attributes(_ message: String) -> [String: String] {
        var result: [String: String] = [:]
        for field in message.split(separator: ",") {
            guard let equals = field.firstIndex(of: "=") else { continue }
            result[String(field[..<equals])] = String(field[field.index(after: equals)...])
        }
        return result
    }

    /// SCRAM's saslname: "=" and "," are written "=3D" and "=2C".
    static func escape(_ name: String) -> String {
        name.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
    }

    /// 24 random bytes in base64: printable and without ",", as RFC 5802 requires of a nonce.
    static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
    }
}
