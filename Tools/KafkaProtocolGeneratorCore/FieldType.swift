/// A field's type: a primitive, an array of a type, or a struct by name (`FieldType.java`).
public indirect enum FieldType: Hashable, Sendable {
    case bool, int8, int16, int32, int64, uint16, uint32, float64, uuid, string, bytes, records
    case array(FieldType)
    case structure(String)

    public init(parsing text: String) {
        if text.hasPrefix("[]") {
            self = .array(FieldType(parsing: String(text.dropFirst(2))))
            return
        }
        switch text {
        case "bool": self = .bool
        case "int8": self = .int8
        case "int16": self = .int16
        case "int32": self = .int32
        case "int64": self = .int64
        case "uint16": self = .uint16
        case "uint32": self = .uint32
        case "float64": self = .float64
        case "uuid": self = .uuid
        case "string": self = .string
        case "bytes": self = .bytes
        case "records": self = .records
        default: self = .structure(text)
        }
    }

    /// The Swift type of a non-null value.
    public var swiftType: String {
        switch self {
        case .bool: "Bool"
        case .int8: "Int8"
        case .int16: "Int16"
        case .int32: "Int32"
        case .int64: "Int64"
        case .uint16: "UInt16"
        case .uint32: "UInt32"
        case .float64: "Double"
        case .uuid: "KafkaUUID"
        case .string: "String"
        case .bytes, .records: "ByteBuffer"
        case .array(let element): "[\(element.swiftType)]"
        case .structure(let name): name
        }
    }

    public var isInteger: Bool {
        switch self {
        case .int8, .int16, .int32, .int64, .uint16, .uint32: true
        default: false
        }
    }

    /// Types that may be null on the wire in some versions.
    public var canBeNullable: Bool {
        switch self {
        case .string, .bytes, .records, .array, .structure: true
        default: false
        }
    }

    /// The struct this type names, directly or as array elements.
    public var structName: String? {
        switch self {
        case .structure(let name): name
        case .array(let element): element.structName
        default: nil
        }
    }
}
