import Crypto
import Foundation

/// HTTP bearer tokens: 32 random bytes, shown once as `mlg_` and URL-safe base64. The database keeps
/// only their SHA-256, so a copy of the database does not let anyone in.
public enum ApiToken {
    public static func generate() -> String {
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "mlg_" + text
    }

    public static func digest(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }
}
