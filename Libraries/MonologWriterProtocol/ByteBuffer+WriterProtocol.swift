import NIOCore

/// Primitive encodings of the writer protocol: big-endian integers, strings with a UInt16 length,
/// byte blobs with a UInt32 length.
extension ByteBuffer {
    mutating func writeShortString(_ string: String) {
        let utf8 = Array(string.utf8.prefix(Int(UInt16.max)))
        self.writeInteger(UInt16(utf8.count))
        self.writeBytes(utf8)
    }

    mutating func readShortString(_ field: String) throws(WriterProtocolError) -> String {
        guard let length = self.readInteger(as: UInt16.self), let string = self.readString(length: Int(length)) else {
            throw WriterProtocolError("truncated \(field)")
        }
        return string
    }

    mutating func writeBlob(_ blob: ByteBuffer) {
        var blob = blob
        self.writeInteger(UInt32(blob.readableBytes))
        self.writeBuffer(&blob)
    }

    mutating func readBlob(_ field: String) throws(WriterProtocolError) -> ByteBuffer {
        guard let length = self.readInteger(as: UInt32.self), let blob = self.readSlice(length: Int(length)) else {
            throw WriterProtocolError("truncated \(field)")
        }
        return blob
    }

    mutating func readInteger<T: FixedWidthInteger>(_ field: String, as: T.Type = T.self) throws(WriterProtocolError) -> T {
        guard let value = self.readInteger(as: T.self) else { throw WriterProtocolError("truncated \(field)") }
        return value
    }
}

extension ByteBuffer {
    /// A string that may be null: length 0xFFFF means null.
    mutating func writeNullableShortString(_ string: String?) {
        guard let string else {
            self.writeInteger(UInt16.max)
            return
        }
        let utf8 = Array(string.utf8.prefix(Int(UInt16.max) - 1))
        self.writeInteger(UInt16(utf8.count))
        self.writeBytes(utf8)
    }

    mutating func readNullableShortString(_ field: String) throws(WriterProtocolError) -> String? {
        guard let length = self.readInteger(as: UInt16.self) else { throw WriterProtocolError("truncated \(field)") }
        if length == UInt16.max { return nil }
        guard let string = self.readString(length: Int(length)) else { throw WriterProtocolError("truncated \(field)") }
        return string
    }

    /// A count, checked against the bytes left so a broken peer cannot make us reserve a huge array.
    mutating func readCount(_ field: String, minimumElementSize: Int) throws(WriterProtocolError) -> Int {
        let count: UInt32 = try self.readInteger(field)
        guard Int(count) * minimumElementSize <= self.readableBytes else {
            throw WriterProtocolError("\(field) count \(count) exceeds the frame")
        }
        return Int(count)
    }
}
