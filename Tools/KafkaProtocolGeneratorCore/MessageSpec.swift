import Foundation

/// One message definition file (`message/*.json`), as Kafka's `MessageSpec.java` models it.
public struct MessageSpec: Decodable, Sendable {
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
public struct FieldSpec: Decodable, Sendable {
    public var name: String
    public var type: String
    public var versions: String?
    public var nullableVersions: String?
    public var taggedVersions: String?
    public var tag: Int? { self.tagValue?.value }
    var tagValue: LenientInt?
    public var `default`: DefaultValue?
    public var ignorable: Bool?
    public var mapKey: Bool?
    public var entityType: String?
    public var flexibleVersions: String?
    public var fields: [FieldSpec]?
    public var zeroCopy: Bool?

    enum CodingKeys: String, CodingKey {
        case name, type, versions, nullableVersions, taggedVersions, `default`, ignorable, mapKey, entityType,
            flexibleVersions, fields, zeroCopy
        case tagValue = "tag"
    }
}

/// An integer written either as a JSON number or as a string (`"tag": "0"` occurs in the definitions).
struct LenientInt: Decodable, Sendable {
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
}

/// A named struct shared by several fields (`commonStructs`).
public struct StructSpec: Decodable, Sendable {
    public var name: String
    public var versions: String
    public var fields: [FieldSpec]
}

/// A field default as written in the JSON: usually a string (`"-1"`, `"true"`, `"null"`, `"0x7fffffff"`),
/// occasionally a bare number or boolean.
public enum DefaultValue: Decodable, Sendable, Hashable {
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

    public var text: String {
        switch self {
        case .text(let text): text
        }
    }
}
