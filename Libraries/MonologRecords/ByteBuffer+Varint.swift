import NIOCore

/// Variable-length integers as Kafka's record format uses them: protobuf-style base-128 varints with
/// zig-zag encoding for signed values (KIP-98, "Record" in the Kafka protocol guide).
extension ByteBuffer {
    /// Reads a zig-zag varint of at most 5 bytes. Throws `.truncated` when the buffer ends first,
    /// throws when the varint runs past 5 bytes (it would never end on a hostile peer's input).
    @inlinable
    package mutating func readVarint32() throws(RecordBatchError) -> Int32 {
        let raw = try self.readUnsignedVarint(maxBytes: 5)
        let value = UInt32(truncatingIfNeeded: raw)
        return Int32(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }

    /// Reads a zig-zag varlong of at most 10 bytes.
    @inlinable
    package mutating func readVarint64() throws(RecordBatchError) -> Int64 {
        let value = try self.readUnsignedVarint(maxBytes: 10)
        return Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }

    @inlinable
    package mutating func readUnsignedVarint(maxBytes: Int) throws(RecordBatchError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        for _ in 0..<maxBytes {
            guard let byte = self.readInteger(as: UInt8.self) else { throw .truncated("varint") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw .malformed("varint longer than \(maxBytes) bytes")
    }

    @inlinable
    package mutating func writeVarint32(_ value: Int32) {
        let zigzag = UInt32(bitPattern: (value << 1) ^ (value >> 31))
        self.writeUnsignedVarint(UInt64(zigzag))
    }

    @inlinable
    package mutating func writeVarint64(_ value: Int64) {
        self.writeUnsignedVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inlinable
    package mutating func writeUnsignedVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            self.writeInteger(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        self.writeInteger(UInt8(rest))
    }
}

/// Number of bytes `writeVarint32` produces, needed to compute a record's length prefix up front.
@inlinable
package func varint32Size(_ value: Int32) -> Int {
    unsignedVarintSize(UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))))
}

@inlinable
package func varint64Size(_ value: Int64) -> Int {
    unsignedVarintSize(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
}

@inlinable
package func unsignedVarintSize(_ value: UInt64) -> Int {
    var size = 1
    var rest = value >> 7
    while rest != 0 {
        size += 1
        rest >>= 7
    }
    return size
}
