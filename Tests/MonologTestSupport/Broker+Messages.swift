import Foundation

/// A message as the HTTP API returns it.
public struct ConsumedMessage: Sendable, Hashable {
    public var offset: Int
    public var key: String?
    public var value: String?
}

extension Broker {
    /// Reads a whole partition from offset 0 through the HTTP API, page by page.
    /// Every message of a partition over HTTP, page by page; `isolation` as the API takes it.
    public func readAll(topic: String, partition: Int = 0, pageSize: Int = 1000, isolation: String? = nil) async throws -> [ConsumedMessage] {
        var messages: [ConsumedMessage] = []
        var offset = 0
        let isolationParameter = isolation.map { "&isolation=\($0)" } ?? ""
        while true {
            let page = try await self.get("/api/topics/\(topic)/messages?partition=\(partition)&offset=\(offset)&limit=\(pageSize)\(isolationParameter)")
            guard page.status == 200, let items = page.json["messages"] as? [[String: Any]] else {
                throw BrokerError(message: "read at offset \(offset) failed: \(page.status) \(page.body)")
            }
            for item in items {
                messages.append(
                    ConsumedMessage(offset: item["offset"] as? Int ?? -1, key: item["key"] as? String, value: item["value"] as? String)
                )
            }
            guard let next = page.json["next_offset"] as? Int, let end = page.json["high_watermark"] as? Int else {
                throw BrokerError(message: "page without next_offset/high_watermark: \(page.body)")
            }
            if items.isEmpty || next >= end { return messages }
            offset = next
        }
    }

    /// Produces one message; returns the offset when the broker acknowledged it, nil otherwise.
    public func produce(topic: String, key: String? = nil, value: String) throws -> Int? {
        var fields = ["\"value\":\(jsonString(value))"]
        if let key { fields.append("\"key\":\(jsonString(key))") }
        let result = try Curl.request("POST", self.baseURL + "/api/topics/\(topic)/messages", body: "{\(fields.joined(separator: ","))}")
        guard result.status == 200 else { return nil }
        return result.json["offset"] as? Int
    }
}

private func jsonString(_ text: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [text])
    let array = String(decoding: data, as: UTF8.self)
    return String(array.dropFirst().dropLast())
}
