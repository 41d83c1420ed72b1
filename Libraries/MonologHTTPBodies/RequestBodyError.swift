/// Why a request body was refused: a stable code for the JSON error (`invalid_json`,
/// `invalid_request`, `invalid_base64`) and a message naming the field at fault.
public struct RequestBodyError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.code): \(self.message)" }
}
