/// The fewest bytes a value can take on the wire. Decoders refuse an array whose count times its
/// element's minimum exceeds the bytes left, so a frame can never claim (and make the decoder reserve)
/// more elements than it could hold: an element may take 30 bytes or more in memory and 3 on the wire.
struct MinimumWireSize {
    let message: ResolvedMessage

    /// The minimum over every version the field is read in, for one element of an array field; at
    /// least 1, so that even an element that could be empty bounds the count by the bytes left.
    func arrayElement(of field: ResolvedField, element: FieldType, taggedOnly: Bool) -> Int {
        let range = (taggedOnly ? field.taggedVersions : field.regularVersions).intersection(self.message.validVersions)
        var smallest = Int.max
        var version = range.lowest
        while !range.isEmpty, version <= range.highest {
            smallest = min(smallest, self.value(element, version: version, compact: taggedOnly || self.isCompact(field, version: version), nullable: false))
            if version == Int16.max { break }
            version += 1
        }
        return max(1, smallest == .max ? 1 : smallest)
    }

    private func isCompact(_ field: ResolvedField, version: Int16) -> Bool {
        !field.alwaysClassicEncoding && self.message.flexibleVersions.contains(version)
    }

    private func value(_ type: FieldType, version: Int16, compact: Bool, nullable: Bool) -> Int {
        switch type {
        case .bool, .int8: 1
        case .int16, .uint16: 2
        case .int32, .uint32: 4
        case .int64, .float64: 8
        case .uuid: 16
        case .string: compact ? 1 : 2
        case .bytes, .records, .array: compact ? 1 : 4
        case .structure(let name): nullable ? 1 : self.structure(name, version: version)
        }
    }

    /// A struct's fixed part at `version`: its regular fields, plus the tagged-field count when flexible.
    private func structure(_ name: String, version: Int16) -> Int {
        let all = [self.message.top] + self.message.structs
        guard let structure = all.first(where: { $0.name == name }) else { return 0 }
        let flexible = self.message.flexibleVersions.contains(version)
        var total = flexible ? 1 : 0
        for field in structure.fields where field.regularVersions.contains(version) {
            let compact = !field.alwaysClassicEncoding && flexible
            total += self.value(field.type, version: version, compact: compact, nullable: field.nullableVersions.contains(version))
        }
        return total
    }
}
