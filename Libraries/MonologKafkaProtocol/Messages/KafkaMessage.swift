import NIOCore

/// A Kafka message type generated from one definition file: a request, a response, a header or an
/// embedded data structure.
public protocol KafkaMessage: Hashable, Sendable {
    static var name: String { get }
    static var validVersions: KafkaVersionRange { get }
    /// Versions that use compact encodings and tagged fields.
    static var flexibleVersions: KafkaVersionRange { get }

    /// A message with every field at its default.
    init()
    /// Decodes the message at `version`, consuming its bytes from `buffer`.
    init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaDecodingError)
    /// Encodes the message at `version`. Throws when a field the version lacks holds a non-default value
    /// (unless the field is ignorable), or a null is written where the version forbids it.
    func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError)
}

/// A request or response of an API.
public protocol KafkaAPIMessage: KafkaMessage {
    static var apiKey: Int16 { get }
}

public protocol KafkaRequestMessage: KafkaAPIMessage {
    associatedtype Response: KafkaResponseMessage
    /// Versions Kafka marks for removal (KIP-896); still valid.
    static var deprecatedVersions: KafkaVersionRange { get }
    /// True when the highest version is still being designed (a broker does not advertise it by default).
    static var latestVersionUnstable: Bool { get }
}

public protocol KafkaResponseMessage: KafkaAPIMessage {}

/// One API: its key, name and message types. `KafkaAPIRegistry.all` lists every API in the definitions.
public struct KafkaAPIDescriptor: Sendable {
    public var apiKey: Int16
    public var name: String
    public var request: any KafkaRequestMessage.Type
    public var response: any KafkaResponseMessage.Type

    public init(apiKey: Int16, name: String, request: any KafkaRequestMessage.Type, response: any KafkaResponseMessage.Type) {
        self.apiKey = apiKey
        self.name = name
        self.request = request
        self.response = response
    }
}

/// A tagged field kept as raw bytes (KIP-482): unknown tags survive a decode/encode round trip.
public struct KafkaTaggedField: Hashable, Sendable {
    public var tag: UInt32
    public var value: ByteBuffer

    public init(tag: UInt32, value: ByteBuffer) {
        self.tag = tag
        self.value = value
    }
}

/// A version range of a message (`validVersions`, `flexibleVersions`).
public struct KafkaVersionRange: Hashable, Sendable, CustomStringConvertible {
    public var lowest: Int16
    public var highest: Int16

    public init(_ lowest: Int16, _ highest: Int16) {
        self.lowest = lowest
        self.highest = highest
    }

    public static let none = KafkaVersionRange(0, -1)

    public var isEmpty: Bool { self.highest < self.lowest }
    public func contains(_ version: Int16) -> Bool { version >= self.lowest && version <= self.highest }
    public var versions: ClosedRange<Int16>? { self.isEmpty ? nil : self.lowest...self.highest }

    public var description: String {
        if self.isEmpty { return "none" }
        if self.highest == .max { return "\(self.lowest)+" }
        return self.lowest == self.highest ? "\(self.lowest)" : "\(self.lowest)-\(self.highest)"
    }
}

/// A 16-byte UUID as Kafka sends it (topic ids, directory ids). It is never null: "no id" is all zeros.
public struct KafkaUUID: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public static let zero = KafkaUUID(high: 0, low: 0)

    public var description: String { String(self.high, radix: 16) + "-" + String(self.low, radix: 16) }
}
