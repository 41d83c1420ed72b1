import NIOCore

/// The request header (v1 and v2): api key, version, correlation id, client id, and — in v2, used by
/// flexible request versions — tagged fields. Only the first three are needed to answer or refuse.
struct KafkaRequestHeader {
    var apiKey: Int16
    var apiVersion: Int16
    var correlationID: Int32
    var clientID: String?

    /// Reads the fixed part of the header. Returns nil when the frame is too short to hold it.
    static func read(from frame: inout ByteBuffer) -> KafkaRequestHeader? {
        guard let apiKey = frame.readInteger(as: Int16.self),
            let apiVersion = frame.readInteger(as: Int16.self),
            let correlationID = frame.readInteger(as: Int32.self),
            let clientIDLength = frame.readInteger(as: Int16.self)
        else { return nil }
        var clientID: String?
        if clientIDLength >= 0 {
            guard let id = frame.readString(length: Int(clientIDLength)) else { return nil }
            clientID = id
        }
        return KafkaRequestHeader(apiKey: apiKey, apiVersion: apiVersion, correlationID: correlationID, clientID: clientID)
    }
}
