/// The read expressions and write statements for one value of a field type. `compact` is a Swift
/// expression (usually `flexible`); `nullable` says whether null is allowed at this version.
struct CodecEmitter {
    let field: ResolvedField
    let sizes: MinimumWireSize
    /// True for a value inside a tagged field (always compact).
    var tagged = false

    var name: String { "\"\(self.field.jsonName)\"" }

    func compact(_ compact: String) -> String { self.field.alwaysClassicEncoding ? "false" : compact }

    /// An expression that reads one value of `type` from `buffer`.
    func read(_ type: FieldType, nullable: Bool, compact: String, buffer: String) -> String {
        let c = self.compact(compact)
        switch type {
        case .bool:
            return "try \(buffer).readKafkaBool(\(self.name))"
        case .int8, .int16, .int32, .int64, .uint16, .uint32:
            return "try \(buffer).readKafkaInteger(\(self.name), as: \(type.swiftType).self)"
        case .float64:
            return "try \(buffer).readKafkaFloat64(\(self.name))"
        case .uuid:
            return "try \(buffer).readKafkaUUID(\(self.name))"
        case .string:
            return "try \(buffer).readKafka\(nullable ? "Nullable" : "")String(\(self.name), compact: \(c))"
        case .bytes, .records:
            return "try \(buffer).readKafka\(nullable ? "Nullable" : "")Bytes(\(self.name), compact: \(c))"
        case .array(let element):
            let inner = self.read(element, nullable: false, compact: compact, buffer: "buffer")
            let minimum = self.sizes.arrayElement(of: self.field, element: element, taggedOnly: self.tagged)
            return "try \(buffer).readKafka\(nullable ? "Nullable" : "")Array(\(self.name), compact: \(c), minimumElementBytes: \(minimum)) { "
                + "(buffer: inout ByteBuffer) throws(KafkaDecodingError) in \(inner) }"
        case .structure(let structName):
            if nullable {
                return "try \(buffer).readKafkaNullableStruct(\(self.name)) { "
                    + "(buffer: inout ByteBuffer) throws(KafkaDecodingError) in try \(structName)(from: &buffer, version: version) }"
            }
            return "try \(structName)(from: &\(buffer), version: version)"
        }
    }

    /// A statement that writes `value` (of `type`, optional when `optional`) to `buffer`.
    func write(_ type: FieldType, value: String, optional: Bool, nullable: String, compact: String, buffer: String) -> String {
        let c = self.compact(compact)
        switch type {
        case .bool:
            return "\(buffer).writeKafkaBool(\(value))"
        case .int8, .int16, .int32, .int64, .uint16, .uint32:
            return "\(buffer).writeInteger(\(value))"
        case .float64:
            return "\(buffer).writeKafkaFloat64(\(value))"
        case .uuid:
            return "\(buffer).writeKafkaUUID(\(value))"
        case .string:
            if optional {
                return "try \(buffer).writeKafkaNullableString(\(value), \(self.name), compact: \(c), nullable: \(nullable), version: version)"
            }
            return "\(buffer).writeKafkaString(\(value), compact: \(c))"
        case .bytes, .records:
            if optional {
                return "try \(buffer).writeKafkaNullableBytes(\(value), \(self.name), compact: \(c), nullable: \(nullable), version: version)"
            }
            return "\(buffer).writeKafkaBytes(\(value), compact: \(c))"
        case .array(let element):
            let inner = self.write(element, value: "element", optional: false, nullable: "false", compact: compact, buffer: "buffer")
            let closure = "{ (buffer: inout ByteBuffer, element: \(element.swiftType)) throws(KafkaEncodingError) in \(inner) }"
            if optional {
                return "try \(buffer).writeKafkaNullableArray(\(value), \(self.name), compact: \(c), nullable: \(nullable), version: version) \(closure)"
            }
            return "try \(buffer).writeKafkaArray(\(value), compact: \(c)) \(closure)"
        case .structure(let structName):
            if optional {
                return "try \(buffer).writeKafkaNullableStruct(\(value), \(self.name), nullable: \(nullable), version: version) { "
                    + "(buffer: inout ByteBuffer, element: \(structName)) throws(KafkaEncodingError) in "
                    + "try element.encode(into: &buffer, version: version) }"
            }
            return "try \(value).encode(into: &\(buffer), version: version)"
        }
    }
}
