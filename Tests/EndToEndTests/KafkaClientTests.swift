import Foundation
import MonologKafkaClient
import MonologKafkaProtocol
import MonologRecords
import MonologTestSupport
import Testing

/// MonologKafkaClient against a real broker, as `monolog-supervisor migrate` uses it: bootstrap,
/// Metadata, CreateTopics, Produce to the partition's leader, ListOffsets showing the new end, the
/// group coordinator, and pipelined requests from several tasks; then the same over SASL_SSL with
/// SCRAM-SHA-512 and a test CA, where a wrong password is refused.
@Suite struct KafkaClientTests {
    static func settings(_ broker: Broker, tls: KafkaClientTLS? = nil, sasl: KafkaClientSASL? = nil) -> KafkaClientSettings {
        KafkaClientSettings(
            bootstrap: [KafkaBrokerAddress(host: "127.0.0.1", port: broker.kafkaPort)],
            clientID: "kafka-client-tests",
            tls: tls,
            sasl: sasl,
            requestTimeout: .seconds(10),
            connectTimeout: .seconds(5)
        )
    }

    @Test func plaintextCreateProduceAndListOffsets() async throws {
        let broker = try await Broker.start()
        let client = KafkaClusterClient(settings: Self.settings(broker))
        try await Self.createProduceAndListOffsets(client, topic: "copied")

        // Requests from many tasks share the connection; each gets its own answer.
        let connection = try await client.anyConnection()
        let names = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    var request = MetadataRequest()
                    var topic = MetadataRequest.MetadataRequestTopic()
                    topic.name = "copied"
                    request.topics = [topic]
                    request.allowAutoTopicCreation = false
                    return try await connection.send(request).response.topics.first?.name
                }
            }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(names == Array(repeating: "copied", count: 20))

        // After a shutdown nothing is sent.
        await client.shutdown()
        #expect(connection.isClosed)
        await #expect(throws: KafkaClientError.self) { _ = try await client.metadata(topics: nil) }
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func nothingListeningIsAConnectError() async throws {
        let client = KafkaClusterClient(
            settings: KafkaClientSettings(bootstrap: [KafkaBrokerAddress(host: "127.0.0.1", port: freeTCPPort())], connectTimeout: .seconds(2)))
        let error = await #expect(throws: KafkaClientError.self) { _ = try await client.anyConnection() }
        #expect(error?.kind == .connect)
        await client.shutdown()
    }

    @Test func saslSSLWithScramSHA512() async throws {
        let work = NSTemporaryDirectory() + "monolog-certs-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let certificates = try await TestCertificates.make(in: work)
        let broker = try await Broker.start(extraArguments: [
            "--kafka-security-protocol", "SASL_SSL", "--tls-cert", certificates.serverCertificate, "--tls-key", certificates.serverKey,
        ])
        _ = try await SecurityTests.addUser(broker, "alice", password: "wonder land")
        #expect(try await eventually(timeout: .seconds(10)) { broker.log.contains("monolog ready") })
        let tls = KafkaClientTLS(caFile: certificates.caCertificate)

        let client = KafkaClusterClient(
            settings: Self.settings(broker, tls: tls, sasl: KafkaClientSASL(mechanism: .scramSHA512, username: "alice", password: "wonder land")))
        try await Self.createProduceAndListOffsets(client, topic: "secured")
        await client.shutdown()

        // A wrong password is refused by the broker.
        let wrong = KafkaClusterClient(
            settings: Self.settings(broker, tls: tls, sasl: KafkaClientSASL(mechanism: .scramSHA512, username: "alice", password: "guess")))
        let refused = await #expect(throws: KafkaClientError.self) { _ = try await wrong.anyConnection() }
        #expect(refused?.kind == .authentication)
        await wrong.shutdown()
        // Without the test CA, the broker's certificate is not trusted.
        let untrusted = KafkaClusterClient(
            settings: Self.settings(broker, tls: KafkaClientTLS(), sasl: KafkaClientSASL(mechanism: .plain, username: "alice", password: "wonder land")))
        let distrusted = await #expect(throws: KafkaClientError.self) { _ = try await untrusted.anyConnection() }
        #expect(distrusted?.kind == .tls)
        await untrusted.shutdown()

        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    /// Metadata, CreateTopics (two partitions), Produce of one batch of three records to partition 1's
    /// leader, ListOffsets for its end (3), and the coordinator of a group.
    static func createProduceAndListOffsets(_ client: KafkaClusterClient, topic: String) async throws {
        let cluster = try await client.metadata(topics: nil)
        #expect(!cluster.brokers.isEmpty)
        #expect(!cluster.topics.contains { $0.name == topic })

        let admin = try await client.anyConnection()
        var create = CreateTopicsRequest()
        var creatable = CreateTopicsRequest.CreatableTopic()
        creatable.name = topic
        creatable.numPartitions = 2
        creatable.replicationFactor = 1
        create.topics = [creatable]
        create.timeoutMs = 5000
        let created = try await admin.send(create).response
        #expect(created.topics.map(\.errorCode) == [KafkaErrorCode.none], "\(created)")
        let described = try await client.metadata(topics: [topic])
        #expect(described.topics.first?.partitions.count == 2)

        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let records = (0..<3).map { NewRecord(key: nil, value: Array("record-\($0)".utf8), timestamp: now) }
        var partitionData = ProduceRequest.PartitionProduceData()
        partitionData.index = 1
        partitionData.records = RecordBatchBuilder.build(records)
        var topicData = ProduceRequest.TopicProduceData()
        topicData.name = topic
        topicData.partitionData = [partitionData]
        var produce = ProduceRequest()
        produce.acks = -1
        produce.timeoutMs = 5000
        produce.topicData = [topicData]
        let leader = try await client.connection(toLeaderOf: topic, partition: 1)
        let produced = try await leader.send(produce).response.responses.first?.partitionResponses.first
        #expect(produced?.errorCode == KafkaErrorCode.none)
        #expect(produced?.baseOffset == 0)

        var listPartition = ListOffsetsRequest.ListOffsetsPartition()
        listPartition.partitionIndex = 1
        listPartition.timestamp = -1  // the end of the log
        var listTopic = ListOffsetsRequest.ListOffsetsTopic()
        listTopic.name = topic
        listTopic.partitions = [listPartition]
        var list = ListOffsetsRequest()
        list.replicaId = -1
        list.topics = [listTopic]
        let (listed, version) = try await leader.send(list)
        #expect(version >= 1)
        #expect(listed.topics.first?.partitions.first?.offset == 3)

        let coordinator = try await client.connection(toCoordinatorOfGroup: "migration")
        #expect(!coordinator.isClosed)
        client.invalidateRouting()
        #expect(try await client.connection(toLeaderOf: topic, partition: 0).address.port == leader.address.port)
    }
}
