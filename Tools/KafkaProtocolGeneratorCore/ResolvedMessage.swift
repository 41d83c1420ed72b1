/// A field with its version ranges parsed and its Swift name, type and default worked out.
public struct ResolvedField: Sendable {
    public var jsonName: String
    public var swiftName: String
    public var type: FieldType
    public var versions: Versions
    public var taggedVersions: Versions
    public var tag: Int?
    public var nullableVersions: Versions
    public var ignorable: Bool
    /// `"flexibleVersions": "none"` on a string: always an int16-length string (RequestHeader.ClientId).
    public var alwaysClassicEncoding: Bool
    public var defaultLiteral: String

    /// Optional in Swift when null is allowed in any version.
    public var isOptional: Bool { !self.nullableVersions.isEmpty }
    public var swiftType: String { self.type.swiftType + (self.isOptional ? "?" : "") }
    /// Versions in which the field is written in the fixed part (not as a tagged field).
    public var regularVersions: Versions {
        guard !self.taggedVersions.isEmpty else { return self.versions }
        guard self.taggedVersions.lowest > 0 else { return .none }
        return self.versions.intersection(Versions(lowest: 0, highest: self.taggedVersions.lowest - 1))
    }
}

/// A struct: the message itself, an inline struct of a field, or a common struct.
public struct ResolvedStruct: Sendable {
    public var name: String
    public var fields: [ResolvedField]
    /// Versions in which the struct can appear: its parent field's, or a common struct's own.
    public var versions: Versions
}

/// A whole definition file, resolved: the top-level fields and every struct nested in it.
public struct ResolvedMessage: Sendable {
    public var spec: MessageSpec
    public var validVersions: Versions
    public var flexibleVersions: Versions
    public var top: ResolvedStruct
    /// Nested structs in the order they first appear.
    public var structs: [ResolvedStruct]

    public init(_ spec: MessageSpec) throws(SpecError) {
        self.spec = spec
        self.validVersions = try Versions(parsing: spec.validVersions)
        self.flexibleVersions = try Versions(parsing: spec.flexibleVersions)
        var structs: [ResolvedStruct] = []
        var seen: Set<String> = []
        for common in spec.commonStructs ?? [] {
            seen.insert(common.name)
        }
        self.top = ResolvedStruct(
            name: spec.name,
            fields: try Self.resolve(spec.fields, into: &structs, seen: &seen, context: spec.name),
            versions: self.validVersions
        )
        for common in spec.commonStructs ?? [] {
            structs.append(
                ResolvedStruct(
                    name: common.name,
                    fields: try Self.resolve(common.fields, into: &structs, seen: &seen, context: spec.name),
                    versions: try Versions(parsing: common.versions)
                )
            )
        }
        self.structs = structs
    }

    private static func resolve(
        _ fields: [FieldSpec],
        into structs: inout [ResolvedStruct],
        seen: inout Set<String>,
        context: String
    ) throws(SpecError) -> [ResolvedField] {
        var resolved: [ResolvedField] = []
        for field in fields {
            let type = FieldType(parsing: field.type)
            if let inline = field.fields {
                guard let structName = type.structName else {
                    throw SpecError("\(context).\(field.name): inline fields on a non-struct type \(field.type)")
                }
                guard !seen.contains(structName) else { throw SpecError("\(context): struct \(structName) defined twice") }
                seen.insert(structName)
                let nested = try resolve(inline, into: &structs, seen: &seen, context: context)
                let versions = try Versions(parsing: field.versions ?? field.taggedVersions ?? "none")
                structs.append(ResolvedStruct(name: structName, fields: nested, versions: versions))
            }
            resolved.append(try ResolvedField(field, type: type, context: context))
        }
        return resolved
    }
}

extension ResolvedField {
    init(_ field: FieldSpec, type: FieldType, context: String) throws(SpecError) {
        let where_ = "\(context).\(field.name)"
        let tagged = try Versions(parsing: field.taggedVersions ?? "none")
        self.jsonName = field.name
        self.swiftName = Naming.identifier(Naming.lowerCamel(field.name))
        self.type = type
        self.versions = try field.versions.map { (text: String) throws(SpecError) in try Versions(parsing: text) } ?? tagged
        self.taggedVersions = tagged
        self.tag = field.tag
        self.nullableVersions = try Versions(parsing: field.nullableVersions ?? "none")
        self.ignorable = field.ignorable ?? false
        self.alwaysClassicEncoding = field.flexibleVersions == "none"
        self.defaultLiteral = ""
        guard self.nullableVersions.isEmpty || type.canBeNullable else {
            throw SpecError("\(where_): \(field.type) cannot be nullable")
        }
        guard tagged.isEmpty || field.tag != nil else { throw SpecError("\(where_): tagged without a tag") }
        self.defaultLiteral = try Self.defaultLiteral(field.default?.text, type: type, optional: self.isOptional, at: where_)
    }

    static func defaultLiteral(_ text: String?, type: FieldType, optional: Bool, at location: String) throws(SpecError) -> String {
        guard let text, !(text.isEmpty && type != .string) else {
            switch type {
            case .bool: return "false"
            case .int8, .int16, .int32, .int64, .uint16, .uint32, .float64: return "0"
            case .uuid: return "KafkaUUID.zero"
            case .string: return "\"\""
            case .bytes: return "ByteBuffer()"
            case .records: return optional ? "nil" : "ByteBuffer()"
            case .array: return "[]"
            case .structure(let name): return "\(name)()"
            }
        }
        if text == "null" {
            guard optional else { throw SpecError("\(location): default null on a field that is never nullable") }
            return "nil"
        }
        switch type {
        case .bool:
            guard text == "true" || text == "false" else { throw SpecError("\(location): bad bool default \(text)") }
            return text
        case .int8, .int16, .int32, .int64, .uint16, .uint32:
            let negative = text.hasPrefix("-")
            let digits = negative ? String(text.dropFirst()) : text
            let value: Int64? = digits.lowercased().hasPrefix("0x") ? Int64(digits.dropFirst(2), radix: 16) : Int64(digits)
            guard let value else { throw SpecError("\(location): bad integer default \(text)") }
            return String(negative ? -value : value)
        case .float64:
            guard Double(text) != nil else { throw SpecError("\(location): bad float default \(text)") }
            return text
        case .string:
            return "\"" + text.replacingOccurrences("\\", "\\\\").replacingOccurrences("\"", "\\\"") + "\""
        default:
            throw SpecError("\(location): default '\(text)' is not supported for \(type.swiftType)")
        }
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        self.split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
