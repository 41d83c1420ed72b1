import Foundation
import MonologTestSupport
import Testing

/// kcat (librdkafka, from Debian) asks the real broker for metadata: topics created over HTTP appear with
/// their partitions, the broker is the advertised address, and a topic asked for by name is created.
@Suite struct KafkaMetadataCompatTests {
    /// Runs kcat with a time limit and returns its standard output.
    static func kcat(_ arguments: [String]) async throws -> String {
        try await runProcess("/usr/bin/kcat", arguments, timeout: 30).standardOutput
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test func kcatListsTopicsCreatedOverHTTP() async throws {
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"orders","partitions":3}"#).status == 201)
        let metadata = Self.json(try await Self.kcat(["-b", "127.0.0.1:\(broker.kafkaPort)", "-L", "-J"]))
        let brokers = try #require(metadata["brokers"] as? [[String: Any]])
        #expect(brokers.count == 1)
        #expect(brokers.first?["name"] as? String == "127.0.0.1:\(broker.kafkaPort)")
        #expect(brokers.first?["id"] as? Int == 0)
        let topics = try #require(metadata["topics"] as? [[String: Any]])
        let orders = try #require(topics.first { $0["topic"] as? String == "orders" })
        let partitions = try #require(orders["partitions"] as? [[String: Any]])
        #expect(partitions.compactMap { $0["partition"] as? Int }.sorted() == [0, 1, 2])
        #expect(partitions.allSatisfy { $0["leader"] as? Int == 0 })
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func askingForAnUnknownTopicCreatesIt() async throws {
        let broker = try await Broker.start()
        let metadata = Self.json(try await Self.kcat(["-b", "127.0.0.1:\(broker.kafkaPort)", "-L", "-J", "-t", "auto.created"]))
        let topics = try #require(metadata["topics"] as? [[String: Any]])
        #expect(topics.first?["topic"] as? String == "auto.created")
        #expect((topics.first?["partitions"] as? [[String: Any]])?.count == 1)
        // The topic exists for the HTTP side too.
        #expect(try await broker.get("/api/topics/auto.created").status == 200)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    /// `num.partitions` (set in the YAML file by Kafka's name) shapes topics created on first use.
    @Test func autoCreatedTopicsGetNumPartitions() async throws {
        let broker = try await Broker.start(configYAML: "kafka:\n  num.partitions: 4\n")
        let metadata = Self.json(try await Self.kcat(["-b", "127.0.0.1:\(broker.kafkaPort)", "-L", "-J", "-t", "four"]))
        let topics = try #require(metadata["topics"] as? [[String: Any]])
        #expect((topics.first?["partitions"] as? [[String: Any]])?.count == 4)
        #expect(try await broker.post("/api/topics/by-http/messages", #"{"value":"v"}"#).status == 200)
        #expect((try await broker.get("/api/topics/by-http").json["partitions"] as? [Any])?.count == 4)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    /// With `auto.create.topics.enable` off, an unknown topic stays unknown on both doors.
    @Test func autoCreationCanBeTurnedOff() async throws {
        let broker = try await Broker.start(extraArguments: ["--auto-create-topics", "false"])
        let metadata = Self.json(try await Self.kcat(["-b", "127.0.0.1:\(broker.kafkaPort)", "-L", "-J", "-t", "absent"]))
        let topics = try #require(metadata["topics"] as? [[String: Any]])
        #expect(topics.first?["error"] as? String == "Broker: Unknown topic or partition", "\(metadata)")
        let produced = try await broker.post("/api/topics/absent/messages", #"{"value":"v"}"#)
        #expect(produced.status == 404)
        #expect((produced.json["error"] as? [String: Any])?["code"] as? String == "unknown_topic")
        #expect(try await broker.get("/api/topics/absent").status == 404)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
