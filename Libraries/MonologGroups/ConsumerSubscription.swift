import NIOCore

/// The topics in a consumer's JoinGroup metadata (the ConsumerProtocolSubscription schema, whose
/// first fields are the same in every version: int16 version, then an array of int16-length topic
/// names). The broker reads it only to keep OffsetDelete from removing offsets a member still uses.
struct ConsumerSubscription {
    var topics: [String]

    init?(parsing metadata: ByteBuffer) {
        var buffer = metadata
        guard buffer.readInteger(as: Int16.self) != nil, let count = buffer.readInteger(as: Int32.self), count >= 0,
            Int(count) <= buffer.readableBytes / 2
        else { return nil }
        var topics: [String] = []
        for _ in 0..<count {
            guard let length = buffer.readInteger(as: Int16.self), length >= 0,
                let topic = buffer.readString(length: Int(length))
            else { return nil }
            topics.append(topic)
        }
        self.topics = topics
    }
}
