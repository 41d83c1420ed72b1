/// A user's SCRAM credential for one mechanism, as stored: what verifies a proof, never the password.
/// The same value travels in the writer's upsert command, is written by the engine and read back by
/// the gateways.
public struct StoredScramCredential: Hashable, Sendable {
    public var mechanism: String
    public var salt: [UInt8]
    public var iterations: Int32
    public var storedKey: [UInt8]
    public var serverKey: [UInt8]

    public init(mechanism: String, salt: [UInt8], iterations: Int32, storedKey: [UInt8], serverKey: [UInt8]) {
        self.mechanism = mechanism
        self.salt = salt
        self.iterations = iterations
        self.storedKey = storedKey
        self.serverKey = serverKey
    }
}
