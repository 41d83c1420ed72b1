import Foundation

/// One message definition (`message/*.json`), as Kafka's `MessageSpec.java` models it, reduced to what the
/// generator uses. It reads Kafka's files and the repository's snapshot of them alike (`SchemaSnapshot`
/// writes it back out, which is how the snapshot is made).
public struct MessageSpec: Codable, Sendable {
    public var apiKey: Int16? { self.apiKeyValue.map { Int16($0.value) } }
    var apiKeyValue: LenientInt?
    public var type: String
    public var name: String
    public var validVersions: String
    public var flexibleVersions: String
    public var deprecatedVersions: String?
    public var latestVersionUnstable: Bool?
    public var fields: [FieldSpec]
    public var commonStructs: [StructSpec]?

    enum CodingKeys: String, CodingKey {
        case apiKeyValue = "apiKey"
        case type, name, validVersions, flexibleVersions, deprecatedVersions, latestVersionUnstable, fields,
            commonStructs
    }

    /// Parses a definition file. Its `//` comments (licence header, version history) and the fields'
    /// `about` texts are Kafka's prose, which the generated code does not copy, so they are not kept.
    public static func parse(_ text: String) throws -> MessageSpec {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        return try decoder.decode(MessageSpec.self, from: Data(text.utf8))
    }
}

/// One field (`FieldSpec.java`).
public struct FieldSpec: Codable, Sendable {
    public var name: String
    public var type: String
    public var versions: String?
    public var nullableVersions: String?
    public var taggedVersions: String?
    public var tag: Int? { self.tagValue?.value }
    var tagValue: LenientInt?
    public var `default`: DefaultValue?
    public var ignorable: Bool?
    /// `"none"` on a string or bytes field: always the classic encoding (only `RequestHeader.ClientId`).
    public var flexibleVersions: String?
    public var fields: [FieldSpec]?

    // Kafka's `about`, `mapKey`, `entityType` and `zeroCopy` change nothing on the wire and are not read.
    enum CodingKeys: String, CodingKey {
        case name, type, versions, nullableVersions, taggedVersions, `default`, ignorable, flexibleVersions, fields
        case tagValue = "tag"
    }
}

/// An integer written either as a JSON number or as a string (`"tag": "0"` occurs in the definitions);
/// written back as a number.
struct LenientInt: Codable, Sendable {
    var value: Int

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self.value = number
        } else if let text = try? container.decode(String.self), let number = Int(text) {
            self.value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an integer")
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.value)
    }
}

/// A named struct shared by several fields (`commonStructs`).
public struct StructSpec: Codable, Sendable {
    public var name: String
    public var versions: String
    public var fields: [FieldSpec]
}

/// A field default as written in the JSON: usually a string (`"-1"`, `"true"`, `"null"`, `"0x7fffffff"`),
/// occasionally a bare number or boolean; written back as a string.
public enum DefaultValue: Codable, Sendable, Hashable {
    case text(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let number = try? container.decode(Int64.self) {
            self = .text(String(number))
        } else if let flag = try? container.decode(Bool.self) {
            self = .text(flag ? "true" : "false")
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unsupported default value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.text)
    }

    public var text: String {
        switch self {
        case .text(let text): text
        }
    }
}
