import Foundation
import MonologConfig
import MonologKafkaProtocol
import MonologTestSupport
import Testing

@testable import KafkaGateway

/// CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs, AlterConfigs,
/// IncrementalAlterConfigs, DescribeCluster and DescribeLogDirs through the connection handler,
/// against the real storage writer: each one's normal path and one error path.
@Suite struct AdminAPITests {
    static let topicResource: Int8 = 2
    static let brokerResource: Int8 = 4

    func partitionCount(_ topic: String, on connection: TestConnection) async throws -> Int? {
        let response = try await connection.exchange(DataPlaneAPITests.metadata([topic]), version: 9)
        guard response.topics.first?.errorCode == KafkaErrorCode.none else { return nil }
        return response.topics.first?.partitions.count
    }

    // MARK: CreateTopics (19)

    @Test func createTopicsCreatesTheTopic() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("create")
        try await connection.createTopic(topic, partitions: 2)
        #expect(try await self.partitionCount(topic, on: connection) == 2)
    }

    @Test func createTopicsRefusesAnExistingName() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("create-twice")
        try await connection.createTopic(topic)
        var again = CreateTopicsRequest.CreatableTopic()
        again.name = topic
        again.numPartitions = 1
        again.replicationFactor = -1
        var request = CreateTopicsRequest()
        request.topics = [again]
        request.timeoutMs = 10_000
        let response = try await connection.exchange(request, version: 7)
        #expect(response.topics.map(\.errorCode) == [KafkaErrorCode.topicAlreadyExists])
    }

    // MARK: DeleteTopics (20)

    static func deleteTopics(_ names: [String]) -> DeleteTopicsRequest {
        var request = DeleteTopicsRequest()
        request.topicNames = names
        request.timeoutMs = 10_000
        return request
    }

    @Test func deleteTopicsDeletesTheTopic() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("delete")
        try await connection.createTopic(topic)
        let response = try await connection.exchange(Self.deleteTopics([topic]), version: 5)
        #expect(response.responses.map(\.errorCode) == [KafkaErrorCode.none])
        #expect(try await self.partitionCount(topic, on: connection) == nil)
    }

    @Test func deleteTopicsOfAnUnknownTopicIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.deleteTopics([uniqueName("no-such-topic")]), version: 5)
        #expect(response.responses.map(\.errorCode) == [KafkaErrorCode.unknownTopicOrPartition])
    }

    // MARK: CreatePartitions (37)

    static func createPartitions(_ topic: String, count: Int32) -> CreatePartitionsRequest {
        var change = CreatePartitionsRequest.CreatePartitionsTopic()
        change.name = topic
        change.count = count
        change.assignments = nil
        var request = CreatePartitionsRequest()
        request.topics = [change]
        request.timeoutMs = 10_000
        return request
    }

    @Test func createPartitionsGrowsTheTopic() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("grow")
        try await connection.createTopic(topic)
        let response = try await connection.exchange(Self.createPartitions(topic, count: 3), version: 3)
        #expect(response.results.map(\.errorCode) == [KafkaErrorCode.none])
        #expect(try await self.partitionCount(topic, on: connection) == 3)
    }

    @Test func createPartitionsCannotShrinkATopic() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("shrink")
        try await connection.createTopic(topic, partitions: 3)
        let response = try await connection.exchange(Self.createPartitions(topic, count: 1), version: 3)
        #expect(response.results.map(\.errorCode) == [KafkaErrorCode.invalidPartitions])
        #expect(try await self.partitionCount(topic, on: connection) == 3)
    }

    // MARK: DescribeConfigs (32)

    static func describeConfigs(_ topic: String) -> DescribeConfigsRequest {
        var resource = DescribeConfigsRequest.DescribeConfigsResource()
        resource.resourceType = topicResource
        resource.resourceName = topic
        resource.configurationKeys = nil
        var request = DescribeConfigsRequest()
        request.resources = [resource]
        return request
    }

    /// The topic's configs as DescribeConfigs reports them.
    func configs(_ topic: String, on connection: TestConnection) async throws -> [String: String?] {
        let response = try await connection.exchange(Self.describeConfigs(topic), version: 4)
        let result = try #require(response.results.first)
        #expect(result.errorCode == KafkaErrorCode.none)
        return Dictionary(result.configs.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    @Test func describeConfigsListsATopicsConfigs() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("describe-configs")
        try await connection.createTopic(topic)
        let configs = try await self.configs(topic, on: connection)
        #expect(configs["cleanup.policy"] == "delete")
        #expect(configs.keys.contains("retention.ms"))
    }

    @Test func describeConfigsOfAnUnknownTopicIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.describeConfigs(uniqueName("no-such-topic")), version: 4)
        #expect(response.results.map(\.errorCode) == [KafkaErrorCode.unknownTopicOrPartition])
    }

    // MARK: AlterConfigs (33)

    static func alterConfigs(type: Int8, name: String, _ configs: [String: String]) -> AlterConfigsRequest {
        var resource = AlterConfigsRequest.AlterConfigsResource()
        resource.resourceType = type
        resource.resourceName = name
        resource.configs = configs.map { name, value in
            var config = AlterConfigsRequest.AlterableConfig()
            config.name = name
            config.value = value
            return config
        }
        var request = AlterConfigsRequest()
        request.resources = [resource]
        return request
    }

    @Test func alterConfigsReplacesATopicsConfigs() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("alter-configs")
        try await connection.createTopic(topic)
        let response = try await connection.exchange(Self.alterConfigs(type: Self.topicResource, name: topic, ["retention.ms": "123456"]), version: 2)
        #expect(response.responses.map(\.errorCode) == [KafkaErrorCode.none])
        #expect(try await self.configs(topic, on: connection)["retention.ms"] == "123456")
    }

    @Test func alterConfigsOfTheBrokerIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.alterConfigs(type: Self.brokerResource, name: "0", ["log.retention.ms": "1"]), version: 2)
        #expect(response.responses.map(\.errorCode) == [KafkaErrorCode.invalidRequest])
    }

    // MARK: IncrementalAlterConfigs (44)

    static func incrementalSet(_ topic: String, _ name: String, _ value: String) -> IncrementalAlterConfigsRequest {
        var config = IncrementalAlterConfigsRequest.AlterableConfig()
        config.name = name
        config.configOperation = 0  // SET
        config.value = value
        var resource = IncrementalAlterConfigsRequest.AlterConfigsResource()
        resource.resourceType = topicResource
        resource.resourceName = topic
        resource.configs = [config]
        var request = IncrementalAlterConfigsRequest()
        request.resources = [resource]
        return request
    }

    @Test func incrementalAlterConfigsSetsOneConfig() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("incremental")
        try await connection.createTopic(topic)
        let response = try await connection.exchange(Self.incrementalSet(topic, "cleanup.policy", "compact"), version: 1)
        #expect(response.responses.map(\.errorCode) == [KafkaErrorCode.none])
        #expect(try await self.configs(topic, on: connection)["cleanup.policy"] == "compact")
    }

    @Test func incrementalAlterConfigsOfAnUnknownTopicIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.incrementalSet(uniqueName("no-such-topic"), "cleanup.policy", "compact"), version: 1)
        #expect(response.responses.map(\.errorCode) == [KafkaErrorCode.unknownTopicOrPartition])
    }

    // MARK: DescribeCluster (60)

    static func describeCluster(endpointType: Int8) -> DescribeClusterRequest {
        var request = DescribeClusterRequest()
        request.endpointType = endpointType
        return request
    }

    @Test func describeClusterNamesTheStoredClusterAndItsBroker() async throws {
        let gateway = try await TestGateway.shared()
        let connection = try await gateway.connect()
        let response = try await connection.exchange(Self.describeCluster(endpointType: 1), version: 1)
        #expect(response.errorCode == KafkaErrorCode.none)
        #expect(response.clusterId == gateway.context.clusterID)
        #expect(response.controllerId == 0)
        #expect(response.brokers.map { "\($0.brokerId) \($0.host):\($0.port)" } == ["0 127.0.0.1:\(gateway.context.settings.kafkaAddress.port)"])
    }

    @Test func describeClusterRefusesControllerEndpoints() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.describeCluster(endpointType: 2), version: 1)
        #expect(response.errorCode == 120)  // UNSUPPORTED_ENDPOINT_TYPE (KIP-919)
        #expect(response.brokers.isEmpty)
    }

    // MARK: DescribeLogDirs (35)

    static func describeLogDirs(_ topic: String, partitions: [Int32]) -> DescribeLogDirsRequest {
        var wanted = DescribeLogDirsRequest.DescribableLogDirTopic()
        wanted.topic = topic
        wanted.partitions = partitions
        var request = DescribeLogDirsRequest()
        request.topics = [wanted]
        return request
    }

    @Test func describeLogDirsSizesATopicsPartitions() async throws {
        let gateway = try await TestGateway.shared()
        let connection = try await gateway.connect()
        let topic = uniqueName("log-dirs")
        try await connection.createTopic(topic, partitions: 2)
        try await connection.produce(topic, values: ["some bytes to store"])
        let response = try await connection.exchange(Self.describeLogDirs(topic, partitions: [0, 1]), version: 4)
        let result = try #require(response.results.first)
        #expect(result.errorCode == KafkaErrorCode.none)
        #expect(result.logDir == URL(fileURLWithPath: gateway.writer.dataDirectory).standardizedFileURL.path)
        let partitions = try #require(result.topics.first { $0.name == topic }?.partitions)
        #expect(partitions.map(\.partitionIndex) == [0, 1])
        #expect(partitions[0].partitionSize > 0)
        #expect(partitions[1].partitionSize == 0)
    }

    /// Unknown topics and partitions are left out of the answer, as Kafka does.
    @Test func describeLogDirsLeavesOutWhatDoesNotExist() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("log-dirs-missing")
        try await connection.createTopic(topic)
        let unknown = try await connection.exchange(Self.describeLogDirs(uniqueName("no-such-topic"), partitions: [0]), version: 4)
        #expect(unknown.results.first?.topics.isEmpty == true)
        let outOfRange = try await connection.exchange(Self.describeLogDirs(topic, partitions: [7]), version: 4)
        #expect(outOfRange.results.first?.topics.first?.partitions.isEmpty == true)
    }
}
