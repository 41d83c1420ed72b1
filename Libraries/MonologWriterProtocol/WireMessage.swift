import NIOCore

/// A struct of the writer protocol whose encoding is its list of fields, in wire order. The list is
/// the one description of the message: writing walks it, reading walks it into `init()`'s value, and
/// the minimum size is its sum, so the two directions cannot disagree.
public protocol WireMessage: WireCodable, Hashable {
    /// The value reading starts from; every field is then read over it.
    init()
    static var fields: [WireField<Self>] { get }
}

extension WireMessage {
    public static var minimumWireSize: Int { Self.fields.reduce(0) { $0 + $1.minimumWireSize } }

    public func write(to buffer: inout ByteBuffer) {
        for field in Self.fields { field.write(self, &buffer) }
    }

    public static func read(from buffer: inout ByteBuffer, field: String) throws(WriterProtocolError) -> Self {
        var message = Self()
        for field in Self.fields { try field.read(&message, &buffer) }
        return message
    }
}

/// One field of a `WireMessage`: its name (for errors), and how to write and read it through its key path.
public struct WireField<Message>: Sendable {
    let minimumWireSize: Int
    let write: @Sendable (Message, inout ByteBuffer) -> Void
    let read: @Sendable (inout Message, inout ByteBuffer) throws(WriterProtocolError) -> Void

    public init<Value: WireCodable>(_ name: String, _ keyPath: any WritableKeyPath<Message, Value> & Sendable) {
        self.minimumWireSize = Value.minimumWireSize
        self.write = { message, buffer in message[keyPath: keyPath].write(to: &buffer) }
        self.read = { message, buffer throws(WriterProtocolError) in
            message[keyPath: keyPath] = try Value.read(from: &buffer, field: name)
        }
    }
}
