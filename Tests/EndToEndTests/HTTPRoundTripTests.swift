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
        let timestamp = try #require(produced.json["timestamp"] as? Int)

        let read = try await broker.get("/api/topics/t/messages?offset=0")
        #expect(read.status == 200)
        let messages = try #require(read.json["messages"] as? [[String: Any]])
        #expect(messages.count == 1)
        #expect(messages.first?["key"] as? String == "k1")
        #expect(messages.first?["value"] as? String == "hello")
        #expect(messages.first?["offset"] as? Int == 0)
        #expect(messages.first?["timestamp"] as? Int == timestamp)

        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
