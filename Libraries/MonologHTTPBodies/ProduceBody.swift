import Foundation

/// One message to produce: a text `value`, or binary bytes as `value_base64`.
public struct ProduceItem: Decodable, Sendable {
    public var key: String?
    public var value: String?
    public var value_base64: String?
    /// Int64, so an out-of-range number is refused as a partition that does not exist (Foundation
    /// reports an Int32 overflow as invalid JSON, without naming the field).
    public var partition: Int64?
    public var headers: [String: String]?

    /// The value's bytes; `index` names the message in an array's errors.
    public func valueBytes(at index: Int?) throws(RequestBodyError) -> [UInt8] {
        let place = index.map { "message \($0): " } ?? ""
        switch (self.value, self.value_base64) {
        case (let text?, nil):
            return Array(text.utf8)
        case (nil, let encoded?):
            guard let bytes = Data(base64Encoded: encoded) else {
                throw RequestBodyError("invalid_base64", "\(place)value_base64 is not valid base64")
            }
            return Array(bytes)
        case (nil, nil):
            throw RequestBodyError("invalid_request", "\(place)a message needs a value or a value_base64")
        default:
            throw RequestBodyError("invalid_request", "\(place)give value or value_base64, not both")
        }
    }

    /// The headers in a stable order (by name), as record headers.
    public var recordHeaders: [(String, [UInt8])] {
        (self.headers ?? [:]).sorted(by: { $0.key < $1.key }).map { ($0.key, Array($0.value.utf8)) }
    }
}

/// A produce body: one message, or an array of them.
public enum ProduceBody: Decodable, Sendable {
    case one(ProduceItem)
    case many([ProduceItem])

    /// Most messages one produce request may carry.
    public static let maxMessages = 1000

    /// An array is a batch; its items are decoded one by one, so an error names the bad item.
    public init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [ProduceItem] = []
            while !array.isAtEnd { items.append(try array.decode(ProduceItem.self)) }
            self = .many(items)
        } else {
            self = .one(try ProduceItem(from: decoder))
        }
    }

    public var items: [ProduceItem] {
        switch self {
        case .one(let item): [item]
        case .many(let items): items
        }
    }

    /// The messages' values, after checking there are 1 to `maxMessages` of them.
    public func values() throws(RequestBodyError) -> [[UInt8]] {
        let items = self.items
        guard !items.isEmpty, items.count <= Self.maxMessages else {
            throw RequestBodyError("invalid_request", "a batch holds 1 to \(Self.maxMessages) messages, got \(items.count)")
        }
        var values: [[UInt8]] = []
        for (index, item) in items.enumerated() { values.append(try item.valueBytes(at: items.count > 1 ? index : nil)) }
        return values
    }
}
