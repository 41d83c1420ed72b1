/// Emits one struct: its stored properties, `init(from:version:)` and `encode(into:version:)`.
struct StructEmitter {
    let structure: ResolvedStruct
    let message: ResolvedMessage
    /// True for the message's own top-level struct, which checks the version it is asked for.
    let isTopLevel: Bool

    /// The versions this struct's code can be asked for: the message's, narrowed to where the struct appears.
    var valid: Versions {
        let narrowed = self.message.validVersions.intersection(self.structure.versions)
        return narrowed.isEmpty ? self.message.validVersions : narrowed
    }

    func emitProperties(_ w: inout CodeWriter) {
        for field in self.structure.fields {
            w.line("public var \(field.swiftName): \(field.swiftType) = \(field.defaultLiteral)")
        }
        w.documentation("Tagged fields this code does not know, kept so that a message round-trips unchanged.")
        w.line("public var unknownTaggedFields: [KafkaTaggedField] = []")
        w.line()
        w.line("public init() {}")
    }

    func emitDecoder(_ w: inout CodeWriter) {
        var body = CodeWriter()
        if self.isTopLevel {
            body.block("guard Self.validVersions.contains(version) else") {
                $0.line("throw KafkaDecodingError.unsupportedVersion(Self.name, version)")
            }
        }
        for field in self.structure.fields where !field.regularVersions.isEmpty {
            self.emitRead(field, into: &body)
        }
        self.emitTaggedRead(into: &body)
        w.block("public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaDecodingError)") { w in
            if body.text.contains("flexible") { w.line("let flexible = \(self.flexibleExpression)") }
            w.raw(body.text)
        }
    }

    func emitEncoder(_ w: inout CodeWriter) {
        var body = CodeWriter()
        if self.isTopLevel {
            body.block("guard Self.validVersions.contains(version) else") {
                $0.line("throw KafkaEncodingError.unsupportedVersion(Self.name, version)")
            }
        }
        for field in self.structure.fields {
            self.emitWrite(field, into: &body)
        }
        self.emitTaggedWrite(into: &body)
        w.block("public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError)") { w in
            if body.text.contains("flexible") { w.line("let flexible = \(self.flexibleExpression)") }
            w.raw(body.text)
        }
    }

    private var flexibleExpression: String {
        Condition.expression(self.message.flexibleVersions, within: self.valid)
    }

    private var taggedFields: [ResolvedField] {
        self.structure.fields.filter { !$0.taggedVersions.isEmpty }.sorted { ($0.tag ?? 0) < ($1.tag ?? 0) }
    }

    // MARK: reading

    private func emitRead(_ field: ResolvedField, into w: inout CodeWriter) {
        let codec = CodecEmitter(field: field, sizes: MinimumWireSize(message: self.message))
        let range = field.regularVersions
        let nullable = field.nullableVersions.intersection(range)
        let statement: (inout CodeWriter) -> Void = { w in
            if nullable.isEmpty || nullable == range.intersection(self.valid) || nullable == range {
                w.line("self.\(field.swiftName) = \(codec.read(field.type, nullable: !nullable.isEmpty, compact: "flexible", buffer: "buffer"))")
            } else {
                w.block("if \(Condition.expression(field.nullableVersions, within: self.valid))") {
                    $0.line("self.\(field.swiftName) = \(codec.read(field.type, nullable: true, compact: "flexible", buffer: "buffer"))")
                }
                w.block("else") {
                    $0.line("self.\(field.swiftName) = \(codec.read(field.type, nullable: false, compact: "flexible", buffer: "buffer"))")
                }
            }
        }
        if let condition = Condition.for(range, within: self.valid) {
            w.block("if \(condition)", statement)
        } else {
            statement(&w)
        }
    }

    private func emitTaggedRead(into w: inout CodeWriter) {
        guard !self.message.flexibleVersions.intersection(self.valid).isEmpty else { return }
        let tagged = self.taggedFields
        w.block("if flexible") { w in
            guard !tagged.isEmpty else {
                w.line("self.unknownTaggedFields = try buffer.readKafkaTaggedFields(\"\(self.structure.name)\")")
                return
            }
            w.line("var unknown: [KafkaTaggedField] = []")
            w.block("for tagged in try buffer.readKafkaTaggedFields(\"\(self.structure.name)\")") { w in
                w.line("var field = tagged.value")
                w.line("switch tagged.tag {")
                for field in tagged {
                    let codec = CodecEmitter(field: field, sizes: MinimumWireSize(message: self.message), tagged: true)
                    let condition = Condition.for(field.taggedVersions, within: self.valid).map { " where \($0)" } ?? ""
                    let nullable = !field.nullableVersions.intersection(field.taggedVersions).isEmpty
                    w.line("case \(field.tag ?? 0)\(condition):")
                    w.line("    self.\(field.swiftName) = \(codec.read(field.type, nullable: nullable, compact: "true", buffer: "field"))")
                }
                w.line("default:")
                w.line("    unknown.append(tagged)")
                w.line("}")
            }
            w.line("self.unknownTaggedFields = unknown")
        }
    }

    // MARK: writing

    private func emitWrite(_ field: ResolvedField, into w: inout CodeWriter) {
        let codec = CodecEmitter(field: field, sizes: MinimumWireSize(message: self.message))
        let range = field.regularVersions
        if !range.isEmpty {
            let nullable = Condition.expression(field.nullableVersions, within: self.valid)
            let statement = codec.write(
                field.type,
                value: "self.\(field.swiftName)",
                optional: field.isOptional,
                nullable: nullable,
                compact: "flexible",
                buffer: "buffer"
            )
            if let condition = Condition.for(range, within: self.valid) {
                w.block("if \(condition)") { $0.line(statement) }
            } else {
                w.line(statement)
            }
        }
        // Kafka's writers refuse to drop a non-default value that the version cannot carry, unless the
        // field is ignorable.
        if !field.ignorable, let present = Condition.for(field.versions, within: self.valid) {
            w.block("if !(\(present)) && self.\(field.swiftName) != \(field.defaultLiteral)") {
                $0.line("throw KafkaEncodingError.fieldNotInVersion(\"\(self.structure.name).\(field.jsonName)\", version)")
            }
        }
    }

    private func emitTaggedWrite(into w: inout CodeWriter) {
        guard !self.message.flexibleVersions.intersection(self.valid).isEmpty else { return }
        w.block("if flexible") { w in
            let tagged = self.taggedFields
            if tagged.isEmpty {
                w.line("buffer.writeKafkaTaggedFields(self.unknownTaggedFields)")
                return
            }
            w.line("var tagged = self.unknownTaggedFields")
            for field in tagged {
                let codec = CodecEmitter(field: field, sizes: MinimumWireSize(message: self.message), tagged: true)
                var condition = "self.\(field.swiftName) != \(field.defaultLiteral)"
                if let versions = Condition.for(field.taggedVersions, within: self.valid) { condition = "\(versions) && " + condition }
                w.block("if \(condition)") { w in
                    w.line("var field = ByteBuffer()")
                    let nullable = Condition.expression(field.nullableVersions, within: self.valid)
                    w.line(
                        codec.write(
                            field.type, value: "self.\(field.swiftName)", optional: field.isOptional, nullable: nullable, compact: "true", buffer: "field"))
                    w.line("tagged.append(KafkaTaggedField(tag: \(field.tag ?? 0), value: field))")
                }
            }
            w.line("buffer.writeKafkaTaggedFields(tagged)")
        }
    }
}

extension CodeWriter {
    /// Appends already-indented text at the current depth.
    mutating func raw(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            self.line(String(line))
        }
    }
}
