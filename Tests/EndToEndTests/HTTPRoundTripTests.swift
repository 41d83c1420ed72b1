import Foundation
import MonologTestSupport
import Testing

/// The HTTP API against the real process tree (supervisor, writer, gateways), through libcurl.
@Suite struct HTTPRoundTripTests {
    @Test func producedMessageReadsBack() async throws {
        let broker = try await Broker.start()
        let produced = try await broker.post("/api/topics/t/messages", #"{"key":"k1","value":"hello"}"#)
        #expect(produced.status == 200, "\(produced.body)")
        #expect(produced.json["offset"] as? Int == 0)
        #expect(produced.json["partition"] as? Int == 0)
        #expect(produced.json["topic"] as? String == "t")
        let timestamp = try #require(produced.json["timestamp"] as? Int)
        #expect(abs(timestamp - Int(Date().timeIntervalSince1970 * 1000)) < 60_000)

        let read = try await broker.get("/api/topics/t/messages?offset=0")
        #expect(read.status == 200)
        let messages = try #require(read.json["messages"] as? [[String: Any]])
        #expect(messages.count == 1)
        #expect(messages.first?["key"] as? String == "k1")
        #expect(messages.first?["value"] as? String == "hello")
        #expect(messages.first?["offset"] as? Int == 0)
        #expect(messages.first?["timestamp"] as? Int == timestamp)

        let topics = try await broker.get("/api/topics")
        #expect((topics.json["topics"] as? [[String: Any]])?.map { $0["name"] as? String } == ["t"])

        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func aThousandMessagesReadBackInOrderWithContiguousOffsets() async throws {
        let broker = try await Broker.start()
        // Four producers at once, so the writer's group commit sees concurrent appends.
        let offsets = try await withThrowingTaskGroup(of: [Int].self) { group in
            for producer in 0..<4 {
                group.addTask {
                    try await blocking {
                        try (0..<250).map { i in
                            guard let offset = try broker.produce(topic: "many", key: "p\(producer)", value: "p\(producer)-\(i)") else {
                                throw BrokerError(message: "produce p\(producer)-\(i) was not acknowledged")
                            }
                            return offset
                        }
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(offsets.sorted() == Array(0..<1000))

        let messages = try await broker.readAll(topic: "many", pageSize: 137)
        #expect(messages.map(\.offset) == Array(0..<1000))
        // Each producer's messages appear in the order it sent them.
        for producer in 0..<4 {
            let values = messages.filter { $0.key == "p\(producer)" }.map(\.value)
            #expect(values == (0..<250).map { "p\(producer)-\($0)" })
        }
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func topicsCanBeCreatedDescribedAndDeleted() async throws {
        let broker = try await Broker.start()
        let created = try await broker.post("/api/topics", #"{"name":"orders","partitions":3}"#)
        #expect(created.status == 201, "\(created.body)")
        #expect(try await broker.post("/api/topics", #"{"name":"orders","partitions":3}"#).errorCode == "topic_exists")

        // Keyed messages spread over the partitions; an explicit partition is honoured.
        for i in 0..<30 { _ = try await blocking { try broker.produce(topic: "orders", key: "customer-\(i)", value: "o\(i)") } }
        let pinned = try await broker.post("/api/topics/orders/messages", #"{"value":"pinned","partition":2}"#)
        #expect(pinned.json["partition"] as? Int == 2)

        let described = try await broker.get("/api/topics/orders")
        #expect(described.status == 200)
        let partitions = try #require(described.json["partitions"] as? [[String: Any]])
        #expect(partitions.count == 3)
        let total = partitions.compactMap { $0["high_watermark"] as? Int }.reduce(0, +)
        #expect(total == 31)
        #expect(partitions.filter { ($0["high_watermark"] as? Int ?? 0) > 0 }.count >= 2)

        #expect(try await broker.delete("/api/topics/orders").status == 200)
        #expect(try await broker.get("/api/topics/orders").status == 404)
        #expect(try await broker.get("/api/topics/orders/messages").status == 404)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
