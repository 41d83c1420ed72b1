import NIOCore

/// A value with one encoding in the writer protocol: big-endian integers, strings with a UInt16 length,
/// arrays and maps with a UInt32 count, byte buffers with a UInt32 length. A message lists its fields
/// once (`WireMessage.fields`); these conformances say how each field's type is written and read.
public protocol WireCodable: Sendable {
    /// The fewest bytes an encoded value takes. Counts read from the wire are checked against it, so a
    /// broken peer cannot make the reader reserve more elements than the frame could hold.
    static var minimumWireSize: Int { get }
    func write(to buffer: inout ByteBuffer)
    static func read(from buffer: inout ByteBuffer, field: String) throws(WriterProtocolError) -> Self
}

extension WireCodable where Self: FixedWidthInteger {
    public static var minimumWireSize: Int { MemoryLayout<Self>.size }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(self)
    }

    public static func read(from buffer: inout ByteBuffer, field: String) throws(WriterProtocolError) -> Self {
        guard let value = buffer.readInteger(as: Self.self) else { throw WriterProtocolError("truncated \(field)") }
        return value
    }
}

extension UInt8: WireCodable {}
extension UInt16: WireCodable {}
extension UInt32: WireCodable {}
extension UInt64: WireCodable {}
extension Int16: WireCodable {}
extension Int32: WireCodable {}
extension Int64: WireCodable {}

/// One byte, 0 or 1.
extension Bool: WireCodable {
    public static var minimumWireSize: Int { 1 }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(self ? 1 : 0))
    }

    public static func read(from buffer: inout ByteBuffer, field: String) throws(WriterProtocolError) -> Self {
        try UInt8.read(from: &buffer, field: field) != 0
    }
}

/// A UInt16 length, then the UTF-8 bytes (at most 65,534 of them: 0xFFFF marks a null string).
extension String: WireCodable {
    public static var minimumWireSize: Int { 2 }

    public func write(to buffer: inout ByteBuffer) {
        let utf8 = Array(self.utf8.prefix(Int(UInt16.max) - 1))
        buffer.writeInteger(UInt16(utf8.count))
        buffer.writeBytes(utf8)
    }

    public static func read(from buffer: inout ByteBuffer, field: String) throws(WriterProtocolError) -> Self {
        guard let string = try String?.read(from: &buffer, field: field) else { throw WriterProtocolError("null \(field)") }
        return string
    }
}

/// A string that may be absent: length 0xFFFF means null.
extension Optional: WireCodable where Wrapped == String {
    public static var minimumWireSize: Int { 2 }

    public func write(to buffer: inout ByteBuffer) {
        guard let string = self else {
            buffer.writeInteger(UInt16.max)
            return
        }
        string.write(to: &buffer)
    }

    public static func read(from buffer: inout ByteBuffer, field: String) throws(WriterProtocolError) -> Self {
        let length = try UInt16.read(from: &buffer, field: field)
        if length == UInt16.max { return nil }
        guard let string = buffer.readString(length: Int(length)) else { throw WriterProtocolError("truncated \(field)") }
        return string
    }
}

/// A UInt32 length, then the bytes, read as a slice of the frame (no copy).
extension ByteBuffer: WireCodable {
    public static var minimumWireSize: Int { 4 }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(self.readableBytes))
        buffer.writeImmutableBuffer(self)
    }

    public static func read(from buffer: inout ByteBuffer, field: String) throws(WriterProtocolError) -> Self {
        let length = try UInt32.read(from: &buffer, field: field)
        guard let slice = buffer.readSlice(length: Int(length)) else { throw WriterProtocolError("truncated \(field)") }
        return slice
    }
}

/// A UInt32 count, then each element (for [UInt8], the same bytes as a blob).
extension Array: WireCodable where Element: WireCodable {
    public static var minimumWireSize: Int { 4 }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(self.count))
        for element in self { element.write(to: &buffer) }
    }

    public static func read(from buffer: inout ByteBuffer, field: String) throws(WriterProtocolError) -> Self {
        let count = try buffer.readCount(field, minimumElementSize: Element.minimumWireSize)
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try Element.read(from: &buffer, field: field)) }
        return elements
    }
}

/// A UInt32 count, then (key, value) strings in key order, so equal maps encode equally.
extension Dictionary: WireCodable where Key == String, Value == String {
    public static var minimumWireSize: Int { 4 }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(self.count))
        for (key, value) in self.sorted(by: { $0.key < $1.key }) {
            key.write(to: &buffer)
            value.write(to: &buffer)
        }
    }

    public static func read(from buffer: inout ByteBuffer, field: String) throws(WriterProtocolError) -> Self {
        let count = try buffer.readCount(field, minimumElementSize: 2 * String.minimumWireSize)
        var map: [String: String] = [:]
        map.reserveCapacity(count)
        for _ in 0..<count {
            let key = try String.read(from: &buffer, field: "\(field) key")
            map[key] = try String.read(from: &buffer, field: "\(field) value")
        }
        return map
    }
}

extension WriterErrorCode: WireCodable {
    public static var minimumWireSize: Int { 2 }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(self.rawValue)
    }

    public static func read(from buffer: inout ByteBuffer, field: String) throws(WriterProtocolError) -> Self {
        Self(rawValue: try UInt16.read(from: &buffer, field: field))
    }
}

extension ByteBuffer {
    /// A UInt32 count, checked against the bytes left: `count` elements of at least
    /// `minimumElementSize` bytes each must fit in what remains of the frame.
    mutating func readCount(_ field: String, minimumElementSize: Int) throws(WriterProtocolError) -> Int {
        let count = try UInt32.read(from: &self, field: "\(field) count")
        guard Int(count) * max(minimumElementSize, 1) <= self.readableBytes else {
            throw WriterProtocolError("\(field) count \(count) exceeds the frame")
        }
        return Int(count)
    }
}
