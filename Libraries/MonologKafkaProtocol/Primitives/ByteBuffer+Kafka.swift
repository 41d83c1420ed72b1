import NIOCore

/// The Kafka protocol's primitive encodings (the protocol guide's "Protocol Primitive Types", and
/// `clients/.../common/protocol/types/Type.java`). Readers read relative to `readerIndex`, check every
/// length against the bytes actually present before using it, and throw `KafkaDecodingError`; nothing
/// here allocates a length a peer claims without sending it.
extension ByteBuffer {
    // MARK: Fixed width

    /// INT8/INT16/INT32/INT64/UINT16/UINT32: big-endian.
    @inlinable
    public mutating func readKafkaInteger<T: FixedWidthInteger>(_ field: String, as: T.Type) throws(KafkaDecodingError) -> T {
        guard let value = self.readInteger(as: T.self) else { throw KafkaDecodingError(.truncated, field: field) }
        return value
    }

    /// BOOLEAN: one byte; any non-zero value is true.
    @inlinable
    public mutating func readKafkaBool(_ field: String) throws(KafkaDecodingError) -> Bool {
        try self.readKafkaInteger(field, as: UInt8.self) != 0
    }

    @inlinable
    public mutating func writeKafkaBool(_ value: Bool) {
        self.writeInteger(UInt8(value ? 1 : 0))
    }

    /// FLOAT64: an IEEE 754 double, big-endian.
    public mutating func readKafkaFloat64(_ field: String) throws(KafkaDecodingError) -> Double {
        Double(bitPattern: try self.readKafkaInteger(field, as: UInt64.self))
    }

    public mutating func writeKafkaFloat64(_ value: Double) {
        self.writeInteger(value.bitPattern)
    }

    /// UUID: 16 bytes.
    public mutating func readKafkaUUID(_ field: String) throws(KafkaDecodingError) -> KafkaUUID {
        KafkaUUID(high: try self.readKafkaInteger(field, as: UInt64.self), low: try self.readKafkaInteger(field, as: UInt64.self))
    }

    public mutating func writeKafkaUUID(_ value: KafkaUUID) {
        self.writeInteger(value.high)
        self.writeInteger(value.low)
    }

    // MARK: Unsigned varint (KIP-482)

    /// UNSIGNED_VARINT: base-128, low group first, at most 5 bytes for a 32-bit value.
    @inlinable
    public mutating func readKafkaUnsignedVarint(_ field: String) throws(KafkaDecodingError) -> UInt32 {
        var result: UInt32 = 0
        for index in 0..<5 {
            guard let byte = self.readInteger(as: UInt8.self) else { throw KafkaDecodingError(.truncated, field: field) }
            if index == 4 && byte > 0x0F { throw KafkaDecodingError(.invalidVarint, field: field) }
            result |= UInt32(byte & 0x7F) << (7 * UInt32(index))
            if byte & 0x80 == 0 { return result }
        }
        throw KafkaDecodingError(.invalidVarint, field: field)
    }

    @inlinable
    public mutating func writeKafkaUnsignedVarint(_ value: UInt32) {
        var rest = value
        while rest >= 0x80 {
            self.writeInteger(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        self.writeInteger(UInt8(rest))
    }

    // MARK: Lengths

    /// The length of a string, bytes or array; nil for null. Classic lengths are signed (-1 is null),
    /// compact ones are unsigned varints of length + 1 (0 is null). A length longer than the bytes left
    /// is refused here, before anything is allocated.
    @usableFromInline
    mutating func readKafkaLength(_ field: String, compact: Bool, classicWidth: Int) throws(KafkaDecodingError) -> Int? {
        let length: Int
        if compact {
            let raw = try self.readKafkaUnsignedVarint(field)
            if raw == 0 { return nil }
            length = Int(raw) - 1
        } else {
            let raw = classicWidth == 2 ? Int(try self.readKafkaInteger(field, as: Int16.self)) : Int(try self.readKafkaInteger(field, as: Int32.self))
            if raw == -1 { return nil }
            guard raw >= 0 else { throw KafkaDecodingError(.invalidLength, field: field, detail: "length \(raw)") }
            length = raw
        }
        guard length <= self.readableBytes else {
            throw KafkaDecodingError(.invalidLength, field: field, detail: "length \(length) with \(self.readableBytes) bytes left")
        }
        return length
    }

    @usableFromInline
    mutating func writeKafkaLength(_ length: Int?, compact: Bool, classicWidth: Int) {
        if compact {
            self.writeKafkaUnsignedVarint(length.map { UInt32($0 + 1) } ?? 0)
        } else if classicWidth == 2 {
            self.writeInteger(Int16(length ?? -1))
        } else {
            self.writeInteger(Int32(length ?? -1))
        }
    }

    // MARK: Strings

    /// STRING / COMPACT_STRING (null is an error).
    public mutating func readKafkaString(_ field: String, compact: Bool) throws(KafkaDecodingError) -> String {
        guard let string = try self.readKafkaNullableString(field, compact: compact) else {
            throw KafkaDecodingError(.unexpectedNull, field: field)
        }
        return string
    }

    /// NULLABLE_STRING / COMPACT_NULLABLE_STRING.
    public mutating func readKafkaNullableString(_ field: String, compact: Bool) throws(KafkaDecodingError) -> String? {
        guard let length = try self.readKafkaLength(field, compact: compact, classicWidth: 2) else { return nil }
        guard let string = self.readString(length: length) else { throw KafkaDecodingError(.truncated, field: field) }
        return string
    }

    public mutating func writeKafkaString(_ value: String, compact: Bool) {
        let utf8 = value.utf8
        self.writeKafkaLength(utf8.count, compact: compact, classicWidth: 2)
        self.writeBytes(utf8)
    }

    public mutating func writeKafkaNullableString(
        _ value: String?,
        _ field: String,
        compact: Bool,
        nullable: Bool,
        version: Int16
    ) throws(KafkaEncodingError) {
        guard let value else {
            guard nullable else { throw .nullNotAllowed(field, version) }
            self.writeKafkaLength(nil, compact: compact, classicWidth: 2)
            return
        }
        self.writeKafkaString(value, compact: compact)
    }

    // MARK: Bytes and records

    /// BYTES / COMPACT_BYTES: returns a slice of this buffer, not a copy (record batches stay zero-copy).
    public mutating func readKafkaBytes(_ field: String, compact: Bool) throws(KafkaDecodingError) -> ByteBuffer {
        guard let bytes = try self.readKafkaNullableBytes(field, compact: compact) else {
            throw KafkaDecodingError(.unexpectedNull, field: field)
        }
        return bytes
    }

    public mutating func readKafkaNullableBytes(_ field: String, compact: Bool) throws(KafkaDecodingError) -> ByteBuffer? {
        guard let length = try self.readKafkaLength(field, compact: compact, classicWidth: 4) else { return nil }
        guard let slice = self.readSlice(length: length) else { throw KafkaDecodingError(.truncated, field: field) }
        return slice
    }

    public mutating func writeKafkaBytes(_ value: ByteBuffer, compact: Bool) {
        self.writeKafkaLength(value.readableBytes, compact: compact, classicWidth: 4)
        var copy = value
        self.writeBuffer(&copy)
    }

    public mutating func writeKafkaNullableBytes(
        _ value: ByteBuffer?,
        _ field: String,
        compact: Bool,
        nullable: Bool,
        version: Int16
    ) throws(KafkaEncodingError) {
        guard let value else {
            guard nullable else { throw .nullNotAllowed(field, version) }
            self.writeKafkaLength(nil, compact: compact, classicWidth: 4)
            return
        }
        self.writeKafkaBytes(value, compact: compact)
    }

    // MARK: Arrays

    /// ARRAY / COMPACT_ARRAY (null is an error). A count that `minimumElementBytes` each could not fit in
    /// the bytes left is refused before anything is reserved (the generator works the minimum out from
    /// the element's fields), so a frame cannot make the decoder allocate more elements than it holds.
    public mutating func readKafkaArray<Element>(
        _ field: String,
        compact: Bool,
        minimumElementBytes: Int,
        _ element: (inout ByteBuffer) throws(KafkaDecodingError) -> Element
    ) throws(KafkaDecodingError) -> [Element] {
        guard let array = try self.readKafkaNullableArray(field, compact: compact, minimumElementBytes: minimumElementBytes, element) else {
            throw KafkaDecodingError(.unexpectedNull, field: field)
        }
        return array
    }

    public mutating func readKafkaNullableArray<Element>(
        _ field: String,
        compact: Bool,
        minimumElementBytes: Int,
        _ element: (inout ByteBuffer) throws(KafkaDecodingError) -> Element
    ) throws(KafkaDecodingError) -> [Element]? {
        guard let count = try self.readKafkaLength(field, compact: compact, classicWidth: 4) else { return nil }
        let (claimed, overflow) = count.multipliedReportingOverflow(by: max(1, minimumElementBytes))
        guard !overflow, claimed <= self.readableBytes else {
            throw KafkaDecodingError(
                .invalidLength, field: field,
                detail: "\(count) elements of at least \(minimumElementBytes) bytes with \(self.readableBytes) bytes left")
        }
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            elements.append(try element(&self))
        }
        return elements
    }

    public mutating func writeKafkaArray<Element>(
        _ array: [Element],
        compact: Bool,
        _ element: (inout ByteBuffer, Element) throws(KafkaEncodingError) -> Void
    ) throws(KafkaEncodingError) {
        self.writeKafkaLength(array.count, compact: compact, classicWidth: 4)
        for item in array {
            try element(&self, item)
        }
    }

    public mutating func writeKafkaNullableArray<Element>(
        _ array: [Element]?,
        _ field: String,
        compact: Bool,
        nullable: Bool,
        version: Int16,
        _ element: (inout ByteBuffer, Element) throws(KafkaEncodingError) -> Void
    ) throws(KafkaEncodingError) {
        guard let array else {
            guard nullable else { throw .nullNotAllowed(field, version) }
            self.writeKafkaLength(nil, compact: compact, classicWidth: 4)
            return
        }
        try self.writeKafkaArray(array, compact: compact, element)
    }

    // MARK: Nullable structs

    /// A nullable struct field: an INT8 marker, -1 for null and 1 for present (`MessageDataGenerator`).
    public mutating func readKafkaNullableStruct<Value>(
        _ field: String,
        _ read: (inout ByteBuffer) throws(KafkaDecodingError) -> Value
    ) throws(KafkaDecodingError) -> Value? {
        let marker = try self.readKafkaInteger(field, as: Int8.self)
        return marker < 0 ? nil : try read(&self)
    }

    public mutating func writeKafkaNullableStruct<Value>(
        _ value: Value?,
        _ field: String,
        nullable: Bool,
        version: Int16,
        _ write: (inout ByteBuffer, Value) throws(KafkaEncodingError) -> Void
    ) throws(KafkaEncodingError) {
        guard let value else {
            guard nullable else { throw .nullNotAllowed(field, version) }
            self.writeInteger(Int8(-1))
            return
        }
        self.writeInteger(Int8(1))
        try write(&self, value)
    }

    // MARK: Tagged fields (KIP-482)

    /// A tagged-field section: count, then tag, size and bytes for each, tags strictly increasing.
    public mutating func readKafkaTaggedFields(_ field: String) throws(KafkaDecodingError) -> [KafkaTaggedField] {
        let count = try self.readKafkaUnsignedVarint(field)
        // Each takes at least two bytes (a tag and a size), and far more in memory.
        guard Int(count) * 2 <= self.readableBytes else {
            throw KafkaDecodingError(.invalidLength, field: field, detail: "\(count) tagged fields")
        }
        var fields: [KafkaTaggedField] = []
        var previous: UInt32?
        for _ in 0..<count {
            let tag = try self.readKafkaUnsignedVarint(field)
            if let previous, tag <= previous {
                throw KafkaDecodingError(.invalidLength, field: field, detail: "tag \(tag) after \(previous)")
            }
            previous = tag
            let size = try self.readKafkaUnsignedVarint(field)
            guard let value = self.readSlice(length: Int(size)) else { throw KafkaDecodingError(.truncated, field: field) }
            fields.append(KafkaTaggedField(tag: tag, value: value))
        }
        return fields
    }

    /// Writes a tagged-field section, in tag order as the protocol requires.
    public mutating func writeKafkaTaggedFields(_ fields: [KafkaTaggedField]) {
        self.writeKafkaUnsignedVarint(UInt32(fields.count))
        for field in fields.sorted(by: { $0.tag < $1.tag }) {
            self.writeKafkaUnsignedVarint(field.tag)
            self.writeKafkaUnsignedVarint(UInt32(field.value.readableBytes))
            var value = field.value
            self.writeBuffer(&value)
        }
    }
}
